import { UserError } from './cli-errors';
import { imageTagOf } from './image-reference';
import type { PlatformModel, Releases, Service, ServiceRelease } from './schema';

/**
 * A service as one environment runs it: the catalog entry with that environment's release applied
 * (`releases.<environment>.<service>`). Each field of the release replaces the catalog's whole field:
 * a release that names `replicas` gives both `min` and `max`.
 *
 * @param model the validated model
 * @param environmentName an environment of the model; a name without releases gets the catalog as it is
 * @returns every service of the catalog, in catalog order
 */
export function servicesIn(model: PlatformModel, environmentName: string): Service[] {
  const releases = model.releases?.[environmentName] ?? {};
  return model.services.map((service) => withRelease(service, releases[service.name]));
}

/**
 * The model as one environment sees it: `services` resolved by {@link servicesIn}. Everything rendered for an
 * environment reads this view, so a release of one environment changes nothing of another.
 */
export function modelIn(model: PlatformModel, environmentName: string): PlatformModel {
  return { ...model, services: servicesIn(model, environmentName) };
}

function withRelease(service: Service, release: ServiceRelease | undefined): Service {
  if (!release) return service;
  return {
    ...service,
    image: release.image ?? service.image,
    replicas: release.replicas ?? service.replicas,
    resources: release.resources ?? service.resources,
  };
}

/**
 * The releases with `service` in environment `to` running the image it runs in `from` (its replicas and
 * resources there stay as they were). Environments keep model order and services catalog order, so the
 * releases file changes only where the release does.
 *
 * @throws UserError naming an unknown environment or service and listing the known ones
 */
export function promoteRelease(model: PlatformModel, service: string, from: string, to: string): Releases {
  const environments = model.environments.map((environment) => environment.name);
  for (const [flag, name] of [
    ['--from', from],
    ['--to', to],
  ] as const) {
    if (!environments.includes(name)) {
      throw new UserError(`${flag}: unknown environment '${name}'; known: ${environments.join(', ')}`);
    }
  }
  if (from === to) throw new UserError('--from and --to name the same environment');
  const catalog = model.services.map((entry) => entry.name);
  if (!catalog.includes(service)) throw new UserError(`unknown service '${service}'; known: ${catalog.join(', ')}`);

  const image = servicesIn(model, from).find((entry) => entry.name === service)?.image;
  const releases = model.releases ?? {};
  const target = { ...releases[to], [service]: { ...releases[to]?.[service], image } };
  return Object.fromEntries(
    environments
      .map((name) => [name, name === to ? target : releases[name]] as const)
      .filter(([, entries]) => entries !== undefined)
      .map(([name, entries]) => [
        name,
        Object.fromEntries(catalog.filter((entry) => entries?.[entry]).map((entry) => [entry, entries?.[entry]])),
      ]),
  );
}

/**
 * The releases with `service` in environment `environmentName` running `image` (a tag, or a tag pinned to the digest
 * CI pushed, `<tag>@sha256:…`); its replicas and resources there stay as they were. Same order rules as {@link promoteRelease}. The
 * image is not checked here: validate the model with the result (`loadModel`), which names a bad reference.
 *
 * @throws UserError naming an unknown environment or service and listing the known ones
 */
export function releaseImage(model: PlatformModel, service: string, environmentName: string, image: string): Releases {
  const environments = model.environments.map((environment) => environment.name);
  if (!environments.includes(environmentName)) {
    throw new UserError(`--env: unknown environment '${environmentName}'; known: ${environments.join(', ')}`);
  }
  const catalog = model.services.map((entry) => entry.name);
  if (!catalog.includes(service)) throw new UserError(`unknown service '${service}'; known: ${catalog.join(', ')}`);
  const releases = model.releases ?? {};
  const target = {
    ...releases[environmentName],
    [service]: { ...releases[environmentName]?.[service], image: { tag: image } },
  };
  return Object.fromEntries(
    environments
      .map((name) => [name, name === environmentName ? target : releases[name]] as const)
      .filter(([, entries]) => entries !== undefined)
      .map(([name, entries]) => [
        name,
        Object.fromEntries(catalog.filter((entry) => entries?.[entry]).map((entry) => [entry, entries?.[entry]])),
      ]),
  );
}

/** The text `data/releases.json` holds for these releases: `JSON.stringify` with two-space indents and a newline. */
export function releasesFileText(releases: Releases): string {
  return `${JSON.stringify(releases, null, 2)}\n`;
}

/**
 * Every image tag of each service that some environment runs or the catalog names: the catalog's image and each
 * environment's release, without the digest a reference may pin (`<tag>@sha256:…`): ECR's lifecycle rules keep
 * images by tag (image-registry.ts), so these must stay in the registry.
 *
 * @returns per service name (catalog order), its tags sorted and without repeats
 */
export function referencedImages(model: PlatformModel): Map<string, string[]> {
  const tagOf = (service: Service) => imageTagOf(service.image.tag);
  const references = new Map(model.services.map((service) => [service.name, new Set([tagOf(service)])]));
  for (const environment of model.environments) {
    for (const service of servicesIn(model, environment.name)) references.get(service.name)?.add(tagOf(service));
  }
  return new Map([...references].map(([name, tags]) => [name, [...tags].sort()]));
}
