import type { Environment, PlatformModel, Service } from '@platform/model';

/**
 * What the tests expect, worked out from the model with logic of their own (not the code under test), so an
 * assertion holds for any valid model: the shipped example, an edited copy, or a generated one.
 */

/** The environment of the model with this name; a test of a missing environment fails here. */
export function environmentNamed(model: PlatformModel, name: string): Environment {
  const environment = model.environments.find((candidate) => candidate.name === name);
  if (!environment) throw new Error(`the model has no environment '${name}'`);
  return environment;
}

export function environmentNames(model: PlatformModel): string[] {
  return model.environments.map((environment) => environment.name);
}

export function serviceNamed(model: PlatformModel, name: string): Service {
  const service = model.services.find((candidate) => candidate.name === name);
  if (!service) throw new Error(`the model has no service '${name}'`);
  return service;
}

/**
 * A service as one environment runs it: the catalog entry, with each field the environment's release names
 * (`releases.<environment>.<service>`, data/releases.json) replacing the catalog's field whole.
 */
export function serviceIn(model: PlatformModel, environment: string, name: string): Service {
  const service = serviceNamed(model, name);
  const release = model.releases?.[environment]?.[name] ?? {};
  return {
    ...service,
    image: release.image ?? service.image,
    replicas: release.replicas ?? service.replicas,
    resources: release.resources ?? service.resources,
  };
}

/** The image reference of a service in an environment: the shared ECR repository, by tag, pinned by digest or not. */
export function expectedImage(model: PlatformModel, environment: string, name: string): string {
  const { account, region } = model.organization.sharedServices;
  const { tag } = serviceIn(model, environment, name).image;
  const repository = `${account}.dkr.ecr.${region}.amazonaws.com/${model.organization.name}/${name}`;
  return `${repository}:${tag}`;
}

/** Services that call this one. */
export function callersOf(model: PlatformModel, name: string): Service[] {
  return model.services.filter((service) => service.dependencies.calls.includes(name));
}

/** Services this one calls. */
export function calleesOf(model: PlatformModel, service: Service): Service[] {
  return service.dependencies.calls.map((callee) => serviceNamed(model, callee));
}

/** The teams that own at least one service. */
export function teamsWithServices(model: PlatformModel): string[] {
  return model.teams.map((team) => team.name).filter((team) => model.services.some((s) => s.team === team));
}

/** A service calls AWS APIs itself when it sends to or receives from a queue. */
export function usesQueues(service: Service): boolean {
  return service.dependencies.publishes.length + service.dependencies.consumes.length > 0;
}

/** The data stores a service declares, by the names the contract uses for them. */
export function dataStoresOf(service: Service): ('postgres' | 'redis')[] {
  return [
    ...(service.dependencies.database ? (['postgres'] as const) : []),
    ...(service.dependencies.cache ? (['redis'] as const) : []),
  ];
}

/** Names sorted the way the tests compare lists whose order carries no meaning. */
export function sorted<T>(values: Iterable<T>): T[] {
  return [...values].sort();
}

/** Text matched literally inside a regular expression. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `base`, or `base` with a number appended, so it names no entry of the list yet. */
export function freeName(base: string, list: readonly { readonly name: string }[]): string {
  const taken = new Set(list.map((entry) => entry.name));
  for (let index = 2; taken.has(base); index++) base = `${base.replace(/\d+$/, '')}${index}`;
  return base;
}

/**
 * Where the environment's ALB serves an edge service, as docs/model.md states it: a host of its own,
 * `<edge.subdomain or the service's name>.<edge.domain>`, at `/`; a service that names an `edge.path` and no
 * subdomain is served below that path on the environment's domain itself.
 */
export function edgeRouteOf(
  environment: Pick<Environment, 'edge'>,
  service: Pick<Service, 'name'> & { readonly edge?: { readonly subdomain?: string; readonly path?: string } },
): { host: string; path: string } {
  const { subdomain, path } = service.edge ?? {};
  if (subdomain === undefined && path !== undefined) return { host: environment.edge.domain, path };
  return { host: `${subdomain ?? service.name}.${environment.edge.domain}`, path: path ?? '/' };
}
