/**
 * The resources of the templates whose loss loses data, or the means to read it, as the lines `pnpm synth` prints
 * before it replaces the committed templates (stateful-changes.ts) see them.
 */

/** What a stateful resource type holds, and the property that gives it a custom name, if it has one. */
export interface StatefulKind {
  /** What the resource is, in the lines: `database`, `queue`, … */
  readonly kind: string;
  /**
   * The property that names the resource (CloudFormation's custom name), if the type has one. A resource with a
   * custom name cannot be replaced under that name, and blocks it while it exists outside the stack.
   */
  readonly nameProperty?: string;
}

/**
 * The resource types that hold data or decrypt it: databases and their credentials, caches and their tokens, queues,
 * the keys that encrypt all of them (a kept snapshot is worthless without its key), log groups (audit and database
 * logs), the image repositories, the EKS cluster and the backup bucket. SSM parameters are left out: they hold connection facts the
 * stack derives again.
 */
export const STATEFUL_RESOURCES: Readonly<Record<string, StatefulKind>> = {
  'AWS::RDS::DBInstance': { kind: 'database', nameProperty: 'DBInstanceIdentifier' },
  'AWS::ElastiCache::ReplicationGroup': { kind: 'cache', nameProperty: 'ReplicationGroupId' },
  'AWS::SQS::Queue': { kind: 'queue', nameProperty: 'QueueName' },
  'AWS::SecretsManager::Secret': { kind: 'secret', nameProperty: 'Name' },
  'AWS::KMS::Key': { kind: 'key' },
  'AWS::Logs::LogGroup': { kind: 'log group', nameProperty: 'LogGroupName' },
  'AWS::ECR::Repository': { kind: 'image repository', nameProperty: 'RepositoryName' },
  'AWS::EKS::Cluster': { kind: 'cluster', nameProperty: 'Name' },
  'AWS::S3::Bucket': { kind: 'bucket', nameProperty: 'BucketName' },
};

/** The docs section on taking kept resources back into a stack, as the lines name it. */
export const BRING_BACK_DOCS = 'docs/aws.md, "Bringing a removed service back"';

/** The docs section on the one-time steps of an environment deployed before, as the lines name it. */
export const UPGRADE_DOCS = 'docs/aws.md, "Upgrading an existing environment"';

/** A resource of a template as the lines read it. */
export interface TemplateResource {
  readonly Type?: unknown;
  readonly Properties?: Record<string, unknown>;
  readonly DeletionPolicy?: unknown;
  readonly UpdateReplacePolicy?: unknown;
}

export type TemplateResources = Readonly<Record<string, TemplateResource>>;

/** The resources of a template's JSON text; none for a missing template. */
export function resourcesOf(text: string | undefined): TemplateResources {
  return text === undefined ? {} : ((JSON.parse(text) as { Resources?: TemplateResources }).Resources ?? {});
}

/** The stack ID of a template path below dist/ (`cloudformation/<stack>.template.json`), or undefined. */
export function stackIdOf(path: string): string | undefined {
  return /([^/]+)\.template\.json$/.exec(path)?.[1];
}

/** The kind of a resource, if its type is stateful. */
export function statefulKindOf(resource: TemplateResource): StatefulKind | undefined {
  return STATEFUL_RESOURCES[String(resource.Type)];
}

/** The custom name of a resource as the template gives it: a plain string, or undefined (none, or an intrinsic). */
export function customNameOf(resource: TemplateResource): string | undefined {
  const property = statefulKindOf(resource)?.nameProperty;
  const name = property === undefined ? undefined : resource.Properties?.[property];
  return typeof name === 'string' ? name : undefined;
}

/** `<name> (<LogicalId>)`, or the logical ID alone when the template gives no plain name. */
export function shown(id: string, resource: TemplateResource): string {
  const name = customNameOf(resource);
  return name === undefined ? id : `${name} (${id})`;
}

/** Template paths in byte order, so the lines come out the same on every machine. */
export function sortedPaths(paths: Iterable<string>): string[] {
  return [...paths].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Whether two template values are the same JSON (intrinsics compared as they are written, not resolved). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, index) => sameValue(item, b[index]));
  }
  const aKeys = Object.keys(a).sort();
  const bKeys = Object.keys(b).sort();
  return (
    sameValue(aKeys, bKeys) &&
    aKeys.every((key) => sameValue((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]))
  );
}
