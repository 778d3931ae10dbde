/**
 * What a change of dist/ does, as a reviewer needs it: per environment, the Kubernetes objects each Argo CD
 * Application adds, changes and removes (Argo CD prunes the removed ones), and per stack the CloudFormation resources
 * added, modified, replaced (or maybe replaced) and removed. `pnpm changes` renders it as Markdown for a pull
 * request's job summary. Which modification replaces a resource comes from the engine `pnpm plan` uses
 * (apps/cloud/src/template-changes.ts: the CloudFormation resource specification, through the CDK CLI's diff).
 */
import {
  CLOUDFORMATION_FOLDER,
  environmentStackIds,
  GITOPS_ROOT_APPLICATION,
  isEnvironmentStackId,
  type PlatformModel,
} from '@platform/model';
import { parseAllDocuments } from 'yaml';
import { resourceChanges } from '../apps/cloud/src/template-changes';

export type Change = 'added' | 'changed' | 'removed';

/** One Kubernetes object that differs, `Kind namespace/name` (`Kind name` when cluster-scoped). */
export interface ObjectChange {
  readonly change: Change;
  readonly object: string;
}

/**
 * What a deploy does to a CloudFormation resource: `changed` updates it in place; `replaced` creates a new physical
 * resource and then deletes (or retains) the old one; `may-be-replaced` changes a property whose change replaces the
 * resource only for some values (the specification's conditional replacement).
 */
export type ResourceChangeKind = 'added' | 'changed' | 'replaced' | 'may-be-replaced' | 'removed';

/** One CloudFormation resource that differs, by logical ID and type. */
export interface ResourceChange {
  readonly change: ResourceChangeKind;
  readonly logicalId: string;
  /** The type in the new template; the old one for a removal. */
  readonly type: string;
  /**
   * For `replaced` and `may-be-replaced`: the properties whose change replaces it (or may), or `Type` when the type
   * changes, as template-changes.ts `ResourceChange.reasons` gives them.
   */
  readonly reasons?: readonly string[];
}

/** What differs in one environment's folder and its stacks. */
export interface EnvironmentChanges {
  readonly environment: string;
  /** By Argo CD Application name (the root Application for the folder's top level); only those with changes. */
  readonly applications: ReadonlyMap<string, readonly ObjectChange[]>;
  /** By stack construct ID; only those with changes. */
  readonly stacks: ReadonlyMap<string, readonly ResourceChange[]>;
}

/** A dist/ folder's files by path below it (`<env>/…`, `cloudformation/<stack>.template.json`). */
export type DistFiles = ReadonlyMap<string, string>;

interface KubeObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
  readonly spec?: { readonly source?: { readonly path?: string } };
}

/**
 * The changes from `before` to `after`, per environment (the model's, in model order, then any other folder of
 * either side), then one entry `shared` for stacks of no environment (the shared-services stack, and stacks whose
 * environment left the model). Environments without changes are left out.
 */
export function distChanges(model: PlatformModel, before: DistFiles, after: DistFiles): EnvironmentChanges[] {
  const folders = new Set<string>();
  for (const path of [...before.keys(), ...after.keys()]) {
    const [folder] = path.split('/');
    if (folder !== CLOUDFORMATION_FOLDER && path.includes('/')) folders.add(folder);
  }
  const modelNames = model.environments.map((environment) => environment.name);
  const names = [...modelNames, ...[...folders].filter((name) => !modelNames.includes(name)).sort()];
  const stackChanges = templateChanges(before, after);
  const claimed = new Set<string>();
  const result: EnvironmentChanges[] = [];
  // The model's stacks first, then by their shape those it no longer has (a removed service's or queue's).
  for (const name of names) for (const id of environmentStackIds(model, name)) claimed.add(id);
  const stacksOf = new Map<string, Set<string>>(names.map((name) => [name, new Set(environmentStackIds(model, name))]));
  for (const id of stackChanges.keys()) {
    if (claimed.has(id)) continue;
    const owner = names.find((name) => isEnvironmentStackId(name, id));
    if (owner !== undefined) {
      stacksOf.get(owner)?.add(id);
      claimed.add(id);
    }
  }
  for (const name of names) {
    const stackIds = stacksOf.get(name) ?? new Set<string>();
    const stacks = new Map([...stackChanges].filter(([id]) => stackIds.has(id)));
    const applications = objectChanges(name, before, after);
    if (applications.size > 0 || stacks.size > 0) result.push({ environment: name, applications, stacks });
  }
  const shared = new Map([...stackChanges].filter(([id]) => !claimed.has(id)));
  if (shared.size > 0) result.push({ environment: 'shared', applications: new Map(), stacks: shared });
  return result;
}

/** The objects of one environment's folder that differ, grouped by the Application that syncs their folder. */
function objectChanges(environment: string, before: DistFiles, after: DistFiles): Map<string, ObjectChange[]> {
  const [old, now] = [objectsOf(environment, before), objectsOf(environment, after)];
  // Both sides' Applications: a removed Application's objects are pruned with it.
  const applications = new Map([...applicationFolders(environment, before), ...applicationFolders(environment, after)]);
  const grouped = new Map<string, ObjectChange[]>();
  const add = (folder: string, change: ObjectChange) => {
    const application = applications.get(folder) ?? GITOPS_ROOT_APPLICATION;
    grouped.set(application, [...(grouped.get(application) ?? []), change]);
  };
  for (const [key, entry] of now) {
    const previous = old.get(key);
    if (previous === undefined) add(entry.folder, { change: 'added', object: key });
    else if (previous.text !== entry.text) add(entry.folder, { change: 'changed', object: key });
  }
  for (const [key, entry] of old) if (!now.has(key)) add(entry.folder, { change: 'removed', object: key });
  for (const changes of grouped.values()) changes.sort(byChangeThen((change) => change.object));
  return new Map([...grouped].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Every object of an environment's folder by `Kind namespace/name`: its folder (as Argo CD paths name it) and its canonical text. */
function objectsOf(environment: string, files: DistFiles): Map<string, { folder: string; text: string }> {
  const objects = new Map<string, { folder: string; text: string }>();
  for (const [path, text] of files) {
    if (!path.startsWith(`${environment}/`)) continue;
    const folder = `dist/${path.slice(0, path.lastIndexOf('/'))}`;
    for (const document of parseAllDocuments(text)) {
      const object = document.toJS() as KubeObject | null;
      if (!object?.kind || !object.metadata?.name) continue;
      const { namespace, name } = object.metadata;
      objects.set(`${object.kind} ${namespace ? `${namespace}/` : ''}${name}`, {
        folder,
        text: JSON.stringify(object, sortedKeys),
      });
    }
  }
  return objects;
}

/** The folder (repository-relative, as `spec.source.path`) each Application at the environment's top level syncs. */
function applicationFolders(environment: string, files: DistFiles): Map<string, string> {
  const folders = new Map<string, string>([[`dist/${environment}`, GITOPS_ROOT_APPLICATION]]);
  for (const [path, text] of files) {
    if (!path.startsWith(`${environment}/`) || path.slice(environment.length + 1).includes('/')) continue;
    for (const document of parseAllDocuments(text)) {
      const object = document.toJS() as KubeObject | null;
      const source = object?.spec?.source?.path;
      if (object?.kind === 'Application' && object.metadata?.name && source) folders.set(source, object.metadata.name);
    }
  }
  return folders;
}

/** Per stack whose template differs, its resources that differ. A template only on one side adds or removes all. */
function templateChanges(before: DistFiles, after: DistFiles): Map<string, ResourceChange[]> {
  const stacks = new Map<string, ResourceChange[]>();
  const prefix = `${CLOUDFORMATION_FOLDER}/`;
  const suffix = '.template.json';
  const ids = new Set(
    [...before.keys(), ...after.keys()]
      .filter((path) => path.startsWith(prefix) && path.endsWith(suffix))
      .map((path) => path.slice(prefix.length, -suffix.length)),
  );
  for (const id of [...ids].sort()) {
    const path = `${prefix}${id}${suffix}`;
    const [old, now] = [resourcesOf(before.get(path)), resourcesOf(after.get(path))];
    const replacements = new Map(
      resourceChanges(before.get(path), after.get(path))
        .filter((change) => change.kind !== 'remove')
        .map((change) => [change.logicalId, change]),
    );
    const changes: ResourceChange[] = [];
    for (const [logicalId, resource] of Object.entries(now)) {
      const previous = old[logicalId];
      const replacement = replacements.get(logicalId);
      if (previous === undefined) changes.push({ change: 'added', logicalId, type: resource.Type });
      else if (replacement) {
        changes.push({
          change: replacement.kind === 'replace' ? 'replaced' : 'may-be-replaced',
          logicalId,
          type: resource.Type,
          reasons: replacement.reasons,
        });
      } else if (JSON.stringify(previous, sortedKeys) !== JSON.stringify(resource, sortedKeys)) {
        changes.push({ change: 'changed', logicalId, type: resource.Type });
      }
    }
    for (const [logicalId, resource] of Object.entries(old)) {
      if (!(logicalId in now)) changes.push({ change: 'removed', logicalId, type: resource.Type });
    }
    if (changes.length > 0) stacks.set(id, changes.sort(byChangeThen((change) => change.logicalId)));
  }
  return stacks;
}

function resourcesOf(template: string | undefined): Record<string, { Type: string }> {
  if (template === undefined) return {};
  return (JSON.parse(template) as { Resources?: Record<string, { Type: string }> }).Resources ?? {};
}

/** A JSON.stringify replacer that writes object keys sorted, so key order is no change. */
function sortedKeys(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

const ORDER: Record<ResourceChangeKind, number> = {
  added: 0,
  changed: 1,
  replaced: 2,
  'may-be-replaced': 3,
  removed: 4,
};

function byChangeThen<T extends { change: ResourceChangeKind }>(name: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => ORDER[a.change] - ORDER[b.change] || (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0);
}

/** How a change reads in the summary: CloudFormation's words for resources, Argo CD's for objects. */
const OBJECT_WORDS: Record<Change, string> = { added: 'added', changed: 'changed', removed: 'pruned' };
const RESOURCE_WORDS: Record<ResourceChangeKind, string> = {
  added: 'added',
  changed: 'modified',
  replaced: 'replaced',
  'may-be-replaced': 'may be replaced',
  removed: 'removed',
};

/**
 * The changes as Markdown: a heading per environment, a table per environment of counts per Argo CD Application and
 * per stack, then each object and resource, so the summary shows at a glance what a merge does where.
 *
 * @param base what the changes are measured from, as the summary names it (e.g. a commit)
 */
export function changesMarkdown(changes: readonly EnvironmentChanges[], base: string): string {
  const lines = [`## What this change does (against ${base})`, ''];
  if (changes.length === 0)
    return `${[...lines, 'dist/ is unchanged: no Kubernetes object and no CloudFormation resource changes.'].join('\n')}\n`;
  const count = <T extends { change: ResourceChangeKind }>(items: readonly T[], change: ResourceChangeKind) =>
    items.filter((item) => item.change === change).length;
  for (const environment of changes) {
    lines.push(`### ${environment.environment}`, '');
    if (environment.applications.size > 0) {
      lines.push('| Argo CD Application | added | changed | pruned |', '| --- | --- | --- | --- |');
      for (const [application, objects] of environment.applications) {
        lines.push(
          `| \`${application}\` | ${count(objects, 'added')} | ${count(objects, 'changed')} | ${count(objects, 'removed')} |`,
        );
      }
      lines.push('');
    }
    if (environment.stacks.size > 0) {
      lines.push(
        '| CloudFormation stack | added | modified | replaced | may be replaced | removed |',
        '| --- | --- | --- | --- | --- | --- |',
      );
      for (const [stack, resources] of environment.stacks) {
        const counts = (['added', 'changed', 'replaced', 'may-be-replaced', 'removed'] as const).map((change) =>
          count(resources, change),
        );
        lines.push(`| \`${stack}\` | ${counts.join(' | ')} |`);
      }
      lines.push('');
    }
    lines.push('<details><summary>Every object and resource</summary>', '');
    for (const [application, objects] of environment.applications) {
      for (const { change, object } of objects) lines.push(`- \`${application}\`: ${OBJECT_WORDS[change]} ${object}`);
    }
    for (const [stack, resources] of environment.stacks) {
      for (const { change, logicalId, type, reasons } of resources) {
        const why = reasons && reasons.length > 0 ? `: ${reasons.join(', ')}` : '';
        lines.push(`- \`${stack}\`: ${RESOURCE_WORDS[change]} ${logicalId} (${type})${why}`);
      }
    }
    lines.push('', '</details>', '');
  }
  return `${lines.join('\n')}`;
}
