import { renderManifestObjects } from '@platform/k8s-platform';
import {
  ecrRepositoryName,
  loadModel,
  type PlatformModel,
  registryHost,
  type Service,
  type ServiceRelease,
} from '@platform/model';
import { buildClusterApp } from '../../../apps/cluster/src/cluster-app';
import { patternMatches } from '../../support/ecr-lifecycle';

/**
 * Which files of dist/ a one-value pull request may change: a reviewer expects a tag bump to rewrite the
 * service's Deployment and nothing else, a replica range its HorizontalPodAutoscaler, and a change made for one
 * environment (its `releases` entry) to leave every other environment alone. Each change below says which field
 * it edits, how the value moves and which objects may change where the service's value changed; `renderChange`
 * edits a copy of a valid model in the catalog or in one environment's release, renders it, and returns the changed
 * paths next to the expected ones. Renderings are compared as objects, not YAML text: a file's text is portableYaml
 * of its object, a function of the object's content and key order as its JSON text is, so two renderings write the
 * same file exactly when the objects' JSON texts are equal. Objects are found by what they are (the Deployment that runs the service's
 * image, the autoscaler that scales it), not by how files are named.
 */

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML has no static shape
type Json = Record<string, any>;

/** dist/ as the cluster app renders it (`renderObjects`): the object each file holds, by path below dist/. */
export type DistFiles = ReadonlyMap<string, Json>;

/** What `renderDist` would write for a model, before YAML: the object of each file, by path below dist/. */
export function renderObjects(model: PlatformModel): Map<string, Json> {
  return renderManifestObjects(buildClusterApp(model));
}

/** A file of dist/ with the environment whose folder holds it and the object it holds. */
export interface DistObject {
  readonly path: string;
  readonly environment: string;
  readonly object: Json;
}

/** Every file of dist/ with its environment: synth writes environment `e`'s objects below `dist/e/`, one per file. */
export function distObjects(files: DistFiles): DistObject[] {
  return [...files].map(([path, object]) => ({ path, environment: path.split('/')[0], object }));
}

/** JSON text of each object seen, kept while the object lives: a baseline is compared with many renderings. */
const jsonTexts = new WeakMap<object, string>();

/** An object's JSON text, key order included: equal exactly when the files written from the objects are equal. */
export function fileContent(object: Json | undefined): string | undefined {
  if (object === undefined) return undefined;
  let text = jsonTexts.get(object);
  if (text === undefined) {
    text = JSON.stringify(object);
    jsonTexts.set(object, text);
  }
  return text;
}

/** Paths whose file differs between two renderings, including files only one of them has; sorted. */
export function changedFiles(before: DistFiles, after: DistFiles): string[] {
  const paths = new Set([...before.keys(), ...after.keys()]);
  return [...paths].filter((path) => fileContent(before.get(path)) !== fileContent(after.get(path))).sort();
}

/** The fields of a service that an environment's release may set, each replacing the catalog's whole field. */
export type ReleaseField = keyof ServiceRelease & keyof Service;

/** One kind of everyday change of one service's value. */
export interface ValueChange {
  /** What the pull request does, e.g. `bumps the image tag`. */
  readonly title: string;
  readonly field: ReleaseField;
  /** A new value for the field, valid and different from the value the environment (or catalog) has now. */
  next(current: Service[ReleaseField], model: PlatformModel): Service[ReleaseField];
  /** The objects of the service in one environment that the change may rewrite, from that environment's objects. */
  touches(objects: readonly DistObject[], model: PlatformModel, service: Service): DistObject[];
}

/** Where the pull request makes its change: the catalog entry, or one environment's release. */
export type ChangeScope = { readonly catalog: true } | { readonly environment: string };

/** A model edited for one change. */
export interface EditedModel {
  /** The edited copy, validated. */
  readonly model: PlatformModel;
  /** Environments in which the service's value differs from before. */
  readonly environments: readonly string[];
}

/**
 * A copy of the model with the change made in the scope. A catalog edit changes the value in each environment that
 * has no release of that field for the service; a release edit changes it in its environment only. The copy is
 * validated, so an edit that makes the model invalid fails loudly.
 */
export function editModel(
  model: PlatformModel,
  change: ValueChange,
  serviceName: string,
  scope: ChangeScope,
): EditedModel {
  const copy = structuredClone(model);
  const service = copy.services.find((candidate) => candidate.name === serviceName);
  if (!service) throw new Error(`the model has no service '${serviceName}'`);
  const releaseOf = (environment: string) => copy.releases?.[environment]?.[serviceName];
  if ('catalog' in scope) {
    setField(service, change.field, change.next(service[change.field], model));
    const environments = copy.environments
      .map((environment) => environment.name)
      .filter((environment) => releaseOf(environment)?.[change.field] === undefined);
    return { model: loadModel(copy), environments };
  }
  const { environment } = scope;
  if (!copy.environments.some((candidate) => candidate.name === environment)) {
    throw new Error(`the model has no environment '${environment}'`);
  }
  const current = releaseOf(environment)?.[change.field] ?? service[change.field];
  const release = { ...releaseOf(environment) };
  setField(release, change.field, change.next(current, model));
  copy.releases = { ...copy.releases, [environment]: { ...copy.releases?.[environment], [serviceName]: release } };
  return { model: loadModel(copy), environments: [environment] };
}

function setField(
  target: Partial<Pick<Service, ReleaseField>>,
  field: ReleaseField,
  value: Service[ReleaseField],
): void {
  (target as Record<ReleaseField, unknown>)[field] = value;
}

/** The repository part of the image reference a service's containers run: `<registry>/<org>/<service>`. */
export function imageRepository(model: PlatformModel, service: Service): string {
  return `${registryHost(model.organization)}/${ecrRepositoryName(model.organization, service.name)}`;
}

/** The Deployments whose pod template runs the service's image (any tag or digest). */
export function workloadsOf(objects: readonly DistObject[], model: PlatformModel, service: Service): DistObject[] {
  const repository = imageRepository(model, service);
  const runsImage = (image: unknown) =>
    typeof image === 'string' && (image.startsWith(`${repository}:`) || image.startsWith(`${repository}@`));
  return objects.filter(({ object }) => {
    const pod = object.spec?.template?.spec;
    const containers: Json[] = [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])];
    return object.kind === 'Deployment' && containers.some((container) => runsImage(container.image));
  });
}

/** The HorizontalPodAutoscalers that scale the service's Deployments. */
export function autoscalersOf(objects: readonly DistObject[], model: PlatformModel, service: Service): DistObject[] {
  const workloads = workloadsOf(objects, model, service).map(({ object }) => object);
  return objects.filter(
    ({ object }) =>
      object.kind === 'HorizontalPodAutoscaler' &&
      workloads.some(
        (workload) =>
          object.metadata.namespace === workload.metadata.namespace &&
          object.spec?.scaleTargetRef?.kind === workload.kind &&
          object.spec?.scaleTargetRef?.name === workload.metadata.name,
      ),
  );
}

/** The paths a change may rewrite: what it touches in each environment where the value changed. */
export function expectedChanges(
  objects: readonly DistObject[],
  change: ValueChange,
  edited: EditedModel,
  serviceName: string,
): string[] {
  const service = edited.model.services.find((candidate) => candidate.name === serviceName);
  if (!service) throw new Error(`the model has no service '${serviceName}'`);
  return edited.environments
    .flatMap((environment) =>
      change.touches(
        objects.filter((file) => file.environment === environment),
        edited.model,
        service,
      ),
    )
    .map((file) => file.path)
    .sort();
}

/**
 * A tag that differs from the given one and is valid wherever it is: for a tag pinned by digest, the same tag with
 * another digest; else the tag with its last number counted up, or one of the release tag patterns written out,
 * whichever first matches a pattern.
 */
export function anotherTag(tag: string, releaseTagPatterns: readonly string[]): string {
  const at = tag.indexOf('@sha256:');
  if (at >= 0) {
    const hex = tag.slice(at + '@sha256:'.length);
    return `${tag.slice(0, at)}@sha256:${hex.startsWith('0') ? '1' : '0'}${hex.slice(1)}`;
  }
  const last = /(\d+)(\D*)$/.exec(tag);
  const candidates = [
    ...(last ? [`${tag.slice(0, last.index)}${Number(last[1]) + 1}${last[2]}`] : []),
    ...['9', '8'].flatMap((digit) => releaseTagPatterns.map((pattern) => pattern.replaceAll('*', digit))),
  ];
  const found = candidates.find(
    (candidate) => candidate !== tag && releaseTagPatterns.some((pattern) => patternMatches(pattern, candidate)),
  );
  if (!found) throw new Error(`no other tag than '${tag}' matches the release tag patterns ${releaseTagPatterns}`);
  return found;
}

/**
 * Another valid replica range: one more minimum while it stays within the maximum (the quota, sized for the
 * maximum, still holds), else one less; only a range of exactly one replica grows its maximum.
 */
export function anotherReplicaRange(replicas: Service['replicas']): Service['replicas'] {
  if (replicas.min < replicas.max) return { min: replicas.min + 1, max: replicas.max };
  if (replicas.min > 1) return { min: replicas.min - 1, max: replicas.max };
  return { min: 1, max: 2 };
}

/** Another memory request, at most the memory limit: the team quota counts limits, so it still holds. */
export function anotherMemoryRequest(resources: Service['resources']): string {
  const { requests, limits } = resources;
  return requests.memory === limits.memory ? `${Math.floor(bytes(limits.memory) / 2)}` : limits.memory;
}

const BINARY = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 } as const;

function bytes(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti)?$/.exec(quantity);
  if (!match) throw new Error(`'${quantity}' is not a memory quantity`);
  return Number(match[1]) * (match[2] ? BINARY[match[2] as keyof typeof BINARY] : 1);
}

/** The everyday changes of a service's values, each with what it may rewrite. */
export const VALUE_CHANGES: readonly ValueChange[] = [
  {
    title: 'bumps the image tag',
    field: 'image',
    next: (image, model) => ({
      tag: anotherTag((image as Service['image']).tag, model.organization.images.releaseTagPatterns),
    }),
    touches: workloadsOf,
  },
  {
    title: 'changes the replica range',
    field: 'replicas',
    next: (replicas) => anotherReplicaRange(replicas as Service['replicas']),
    // The Deployment has no replicas field (the autoscaler owns it), the disruption budget allows one pod down
    // whatever the count, and team quotas are the model's, checked against the range rather than derived from it.
    touches: autoscalersOf,
  },
  {
    title: 'changes the memory request',
    field: 'resources',
    next: (value) => {
      const resources = value as Service['resources'];
      return { ...resources, requests: { ...resources.requests, memory: anotherMemoryRequest(resources) } };
    },
    touches: workloadsOf,
  },
];

/** Renders the edited model and returns the changed paths next to the expected ones. */
export function renderChange(
  model: PlatformModel,
  baseline: DistFiles,
  objects: readonly DistObject[],
  change: ValueChange,
  serviceName: string,
  scope: ChangeScope,
): {
  readonly changed: string[];
  readonly expected: string[];
  readonly after: DistFiles;
  readonly environments: readonly string[];
} {
  const edited = editModel(model, change, serviceName, scope);
  const after = renderObjects(edited.model);
  return {
    environments: edited.environments,
    changed: changedFiles(baseline, after),
    expected: expectedChanges(objects, change, edited, serviceName),
    after,
  };
}
