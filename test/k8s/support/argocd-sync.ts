import { BUILT_IN_GROUPS, CLUSTER_SCOPED_BUILT_IN_KINDS, groupOf } from './kubernetes-scopes';
import type { RenderedObject } from './rendered';

/**
 * What Argo CD 3.5.1 does with one environment's folder of dist/, synced by the root Application of the cloud
 * stack: which Applications it refuses, and which wait forever. Facts read from argo-cd v3.5.1 (our own
 * re-statement, not its code):
 * - pkg/apis/application/v1alpha1/app_project_types.go: IsDestinationPermitted/isDestinationMatched (server and
 *   namespace globs, `!` deny patterns), IsSourcePermitted, IsGroupKindNamePermitted (namespaced kinds: an absent
 *   namespaceResourceWhitelist admits all, a present one only its entries, so `[]` admits none; cluster-scoped
 *   kinds: only the clusterResourceWhitelist's entries, so absent or `[]` admits none; blacklists subtract).
 *   Group and kind entries match like Go's filepath.Match (types.go isResourceInList); destinations like gobwas/glob.
 * - util/argo/argo.go ValidatePermissions: the Application's own destination namespace is matched too, even when
 *   it deploys cluster-scoped objects only; a missing project makes the Application invalid, so it never turns
 *   healthy.
 * - controller/sync.go validateSyncPermissions: every namespaced object's namespace must be a permitted destination.
 * - controller/state.go: a namespaced object with no namespace, where the destination has none, is an error.
 * - Sync waves (argocd.argoproj.io/sync-wave, default 0): the root applies wave N only once every object of the
 *   waves before it is healthy; an AppProject is healthy once it exists, an Application (with the health check
 *   the cloud stack installs) once its own health is Healthy. So whatever an Application needs (its project, its
 *   namespaces, the CRDs of its kinds) must come from a strictly earlier wave, or exist before the root syncs.
 * - CreateNamespace=true creates the Application's destination namespace only.
 */

// biome-ignore lint/suspicious/noExplicitAny: manifests are walked as plain JSON.
type Json = Record<string, any>;

export type Scope = 'Namespaced' | 'Cluster';

/** A CRD, by group and kind, with its scope and the Helm release that installs it. */
export interface CrdFact {
  readonly group: string;
  readonly kind: string;
  readonly scope: Scope;
  /** The release that installs it: an Application of dist/, or one the cloud stack installs. */
  readonly installedBy: string;
}

/** What exists before the root Application syncs, and the root itself. */
export interface GitOpsRoot {
  /** The root Application the cloud stack applies. */
  readonly application: Json;
  /** AppProjects that exist before the root syncs (the cloud stack's, Argo CD's `default`). */
  readonly projects: readonly Json[];
  /** Namespaces that exist before the root syncs. */
  readonly namespaces: readonly string[];
  /** Helm releases installed before the root syncs (Argo CD's own, with its CRDs). */
  readonly releases: readonly string[];
}

/** Argo CD's built-in project, which it creates on start: anything from anywhere to anywhere. */
export const DEFAULT_PROJECT: Json = {
  metadata: { name: 'default' },
  spec: {
    sourceRepos: ['*'],
    destinations: [{ server: '*', namespace: '*' }],
    clusterResourceWhitelist: [{ group: '*', kind: '*' }],
  },
};

export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';

/** The sync wave of an object in the root folder: its annotation, 0 without one. */
export function syncWaveOf(object: Json): number {
  const value = object.metadata?.annotations?.[SYNC_WAVE_ANNOTATION];
  return value === undefined ? 0 : Number.parseInt(String(value), 10);
}

/** The options of an `argocd.argoproj.io/sync-options` style annotation, as Argo CD splits it: `Key` to `value`. */
export function annotationOptions(object: Json, annotation: string): Map<string, string> {
  const options = new Map<string, string>();
  for (const item of String(object.metadata?.annotations?.[annotation] ?? '').split(',')) {
    const option = item.trim();
    const at = option.indexOf('=');
    if (at > 0 && !options.has(option.slice(0, at))) options.set(option.slice(0, at), option.slice(at + 1));
  }
  return options;
}

// ---- matching, as Argo CD matches ----

/** Regular expression of a gobwas/glob pattern: `*`, `?`, `[…]`/`[!…]`, `{a,b}`, `\\` escapes. */
function gobwasRegExp(pattern: string, separators: string): RegExp {
  const notSeparator = separators ? `[^${escapeClass(separators)}]` : '[\\s\\S]';
  let source = '';
  let braces = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) source += escapeRegExp(pattern[++i]);
    else if (c === '*' && pattern[i + 1] === '*') {
      source += '[\\s\\S]*';
      i++;
    } else if (c === '*') source += `${notSeparator}*`;
    else if (c === '?') source += notSeparator;
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) return /(?!)/;
      const body = pattern.slice(i + 1, end);
      source += body.startsWith('!') ? `[^${escapeClass(body.slice(1))}]` : `[${escapeClass(body)}]`;
      i = end;
    } else if (c === '{') {
      source += '(?:';
      braces++;
    } else if (c === '}' && braces > 0) {
      source += ')';
      braces--;
    } else if (c === ',' && braces > 0) source += '|';
    else source += escapeRegExp(c);
  }
  return braces === 0 ? new RegExp(`^${source}$`) : /(?!)/;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function escapeClass(text: string): string {
  // Keep ranges (a-z); escape what would end or alter the class.
  return text.replace(/[\\\]^]/g, '\\$&');
}

const isDenyPattern = (pattern: string | undefined) => (pattern ?? '').startsWith('!');

/** Argo CD's globMatch: a `!` pattern (where negation is allowed) matches what the rest does not. */
function globMatch(pattern: string, value: string, allowNegation: boolean, separators = ''): boolean {
  if (allowNegation && isDenyPattern(pattern)) return !gobwasRegExp(pattern.slice(1), separators).test(value);
  if (pattern === '*') return true;
  return gobwasRegExp(pattern, separators).test(value);
}

/** Go's filepath.Match on a group or kind (no `/` in them): `*`, `?`, `[…]`/`[^…]`, `\\` escapes. */
function filepathMatch(pattern: string, value: string): boolean {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) source += escapeRegExp(pattern[++i]);
    else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) return false;
      const body = pattern.slice(i + 1, end);
      source += body.startsWith('^') ? `[^${escapeClass(body.slice(1))}]` : `[${escapeClass(body)}]`;
      i = end;
    } else source += escapeRegExp(c);
  }
  return new RegExp(`^${source}$`).test(value);
}

/** Argo CD's NormalizeGitURL, for the URLs this platform writes: case and a trailing `.git` or `/` do not count. */
function normalizeRepoUrl(url: string): string {
  return url
    .toLowerCase()
    .replace(/\/+$/, '')
    .replace(/\.git$/, '');
}

/** AppProject.IsSourcePermitted. */
export function isSourcePermitted(project: Json, repoUrl: string): boolean {
  const source = normalizeRepoUrl(repoUrl);
  let matched = false;
  for (const repo of (project.spec?.sourceRepos ?? []) as string[]) {
    const pattern = isDenyPattern(repo) ? `!${normalizeRepoUrl(repo.slice(1))}` : normalizeRepoUrl(repo);
    if (globMatch(pattern, source, true, '/')) matched = true;
    else if (isDenyPattern(pattern)) return false;
  }
  return matched;
}

/** AppProject.IsDestinationPermitted for a destination given by server URL (this platform names no clusters). */
export function isDestinationPermitted(project: Json, server: string, namespace: string): boolean {
  let matched = false;
  for (const item of (project.spec?.destinations ?? []) as Json[]) {
    const serverMatched = server !== '' && globMatch(item.server ?? '', server, true);
    const namespaceMatched = globMatch(item.namespace ?? '', namespace, true);
    if (serverMatched && namespaceMatched) matched = true;
    else if (isDenyPattern(item.name) || (!serverMatched && isDenyPattern(item.server) && namespaceMatched)) {
      return false;
    } else if (!namespaceMatched && isDenyPattern(item.namespace) && serverMatched) return false;
  }
  return matched;
}

const inList = (list: readonly Json[], group: string, kind: string, name?: string) =>
  list.some(
    (item) =>
      filepathMatch(item.kind ?? '', kind) &&
      filepathMatch(item.group ?? '', group) &&
      (name === undefined || !item.name || filepathMatch(item.name, name)),
  );

/** AppProject.IsGroupKindNamePermitted. */
export function isGroupKindPermitted(project: Json, group: string, kind: string, name: string, scope: Scope): boolean {
  const spec = project.spec ?? {};
  if (scope === 'Namespaced') {
    const whitelist: Json[] | undefined = spec.namespaceResourceWhitelist;
    const whitelisted = whitelist === undefined || whitelist === null || inList(whitelist, group, kind);
    return whitelisted && !inList(spec.namespaceResourceBlacklist ?? [], group, kind);
  }
  return (
    inList(spec.clusterResourceWhitelist ?? [], group, kind, name) &&
    !inList(spec.clusterResourceBlacklist ?? [], group, kind, name)
  );
}

// ---- the simulation ----

interface App {
  readonly name: string;
  readonly object: Json;
  readonly wave: number;
  /** Folder below dist/ it syncs, for a directory source. */
  readonly folder?: string;
  readonly recurse: boolean;
}

/** Waves of what exists before the root syncs, and of the root's own sync, below every annotated wave. */
const PRE_EXISTING = Number.NEGATIVE_INFINITY;
const ROOT_WAVE = -Number.MAX_VALUE;

/**
 * Every reason Argo CD would refuse an Application of the environment, or wait for one forever. `files` are the
 * environment's files of dist/ (paths relative to dist/, starting with the environment's folder); the root
 * Application's source path is that folder.
 */
export function argoCdSyncProblems(
  environment: string,
  files: readonly RenderedObject[],
  root: GitOpsRoot,
  crds: readonly CrdFact[],
): string[] {
  const problems: string[] = [];
  const rootPath: string = root.application.spec.source.path;
  const folderOf = (path: string) => path.split('/').slice(0, -1).join('/');
  const rootObjects = files.filter((file) => folderOf(file.path) === environment).map((file) => file.object);

  // Where each kind is defined, and with which scope.
  const crdOf = new Map(crds.map((crd) => [`${crd.group}/${crd.kind}`, crd]));
  const scopeOf = (group: string, kind: string): Scope | undefined => {
    const key = `${group}/${kind}`;
    if (BUILT_IN_GROUPS.has(group)) return CLUSTER_SCOPED_BUILT_IN_KINDS.has(key) ? 'Cluster' : 'Namespaced';
    return crdOf.get(key)?.scope;
  };

  // The Applications: the root, then those of the root folder at their waves.
  const resolveFolder = (app: Json): string | undefined => {
    const path: string = app.spec?.source?.path ?? '';
    if (path === rootPath) return environment;
    if (path.startsWith(`${rootPath}/`)) return `${environment}/${path.slice(rootPath.length + 1)}`;
    return undefined;
  };
  const toApp = (object: Json, wave: number): App => ({
    name: object.metadata.name,
    object,
    wave,
    folder: object.spec?.source?.directory ? resolveFolder(object) : undefined,
    recurse: object.spec?.source?.directory?.recurse === true,
  });
  const rootApp = toApp(root.application, ROOT_WAVE);
  const children = rootObjects.filter((o) => o.kind === 'Application').map((o) => toApp(o, syncWaveOf(o)));
  const apps = [rootApp, ...children];
  const argoNamespace: string = root.application.metadata.namespace;

  // The AppProjects and the wave in which each exists.
  const projects = new Map<string, { project: Json; wave: number }>();
  for (const project of root.projects) projects.set(project.metadata.name, { project, wave: PRE_EXISTING });
  for (const project of rootObjects.filter((o) => o.kind === 'AppProject')) {
    if (projects.has(project.metadata.name)) {
      problems.push(
        `AppProject ${project.metadata.name} of dist/${environment} would replace the project of that name that exists before the root syncs`,
      );
      continue;
    }
    projects.set(project.metadata.name, { project, wave: syncWaveOf(project) });
  }

  // Which folders each Application owns, and the objects of each.
  const objectsByFolder = new Map<string, Json[]>();
  for (const file of files) {
    const folder = folderOf(file.path);
    objectsByFolder.set(folder, [...(objectsByFolder.get(folder) ?? []), file.object]);
  }
  const owns = (app: App, folder: string) =>
    app.folder !== undefined && (folder === app.folder || (app.recurse && folder.startsWith(`${app.folder}/`)));
  for (const folder of [...objectsByFolder.keys()].sort()) {
    const owners = apps.filter((app) => owns(app, folder)).map((app) => app.name);
    if (owners.length !== 1) {
      problems.push(`folder dist/${folder} is owned by ${owners.length} Applications (${owners.join(', ') || 'none'})`);
    }
  }
  const objectsOf = (app: App) =>
    [...objectsByFolder.entries()].filter(([folder]) => owns(app, folder)).flatMap(([, objects]) => objects);

  // Where namespaces come from: before the root, or a Namespace object of an Application's folder.
  const namespaceCreators = new Map<string, App[]>();
  for (const app of apps) {
    for (const object of objectsOf(app).filter((o) => o.apiVersion === 'v1' && o.kind === 'Namespace')) {
      namespaceCreators.set(object.metadata.name, [...(namespaceCreators.get(object.metadata.name) ?? []), app]);
    }
  }
  const namespaceExists = (namespace: string, app: App): boolean =>
    root.namespaces.includes(namespace) ||
    (namespaceCreators.get(namespace) ?? []).some((creator) => creator !== app && creator.wave < app.wave) ||
    (namespace === app.object.spec?.destination?.namespace &&
      ((app.object.spec?.syncPolicy?.syncOptions ?? []) as string[]).includes('CreateNamespace=true'));
  const wave = (w: number) =>
    w === PRE_EXISTING ? 'before the root syncs' : w === ROOT_WAVE ? 'the root' : `wave ${w}`;

  for (const app of apps) {
    const where = `Application ${app.name} (${wave(app.wave)})`;
    const spec = app.object.spec ?? {};
    if (app.object.metadata.namespace !== argoNamespace) {
      problems.push(`${where} is in namespace ${app.object.metadata.namespace}, not Argo CD's ${argoNamespace}`);
    }
    const projectName: string = spec.project || 'default';
    const entry = projects.get(projectName);
    if (!entry) {
      problems.push(`${where}: project ${projectName} does not exist`);
      continue;
    }
    // Argo CD refuses the Application until the project exists; what it would refuse next is reported too.
    if (entry.wave >= app.wave) {
      problems.push(`${where}: project ${projectName} is synced in ${wave(entry.wave)}, not before`);
    }
    const project = entry.project;
    const sources: Json[] = spec.sources ?? [spec.source];
    for (const source of sources) {
      if (!isSourcePermitted(project, source?.repoURL ?? '')) {
        problems.push(`${where}: repository ${source?.repoURL} is not permitted in project ${projectName}`);
      }
    }
    const server: string = spec.destination?.server ?? '';
    const destinationNamespace: string = spec.destination?.namespace ?? '';
    // Destinations by cluster name match against the cluster's name too; this platform names servers only.
    if (!server || spec.destination?.name || (project.spec?.destinations ?? []).some((d: Json) => d.name)) {
      problems.push(`${where}: a destination by cluster name is not simulated; name the server`);
    }
    if (!isDestinationPermitted(project, server, destinationNamespace)) {
      problems.push(
        `${where}: destination ${server} namespace '${destinationNamespace}' is not permitted in project ${projectName}`,
      );
    }
    // What a Helm chart deploys is not in dist/; it deploys into the destination namespace, which must exist.
    if (!spec.source?.directory && destinationNamespace && !namespaceExists(destinationNamespace, app)) {
      problems.push(`${where}: destination namespace ${destinationNamespace} does not exist yet`);
    }
    if (spec.source?.directory && app.folder === undefined) {
      problems.push(`${where}: source path ${spec.source.path} is outside the environment's folder ${rootPath}`);
      continue;
    }
    if (app.folder !== undefined && !objectsByFolder.has(app.folder)) {
      problems.push(`${where}: folder dist/${app.folder} holds no manifest`);
    }
    for (const object of objectsOf(app)) {
      const group = groupOf(object.apiVersion);
      const kind: string = object.kind;
      const name: string = object.metadata?.name;
      const what = `${where}: ${kind} ${object.metadata?.namespace ? `${object.metadata.namespace}/` : ''}${name}`;
      const scope = scopeOf(group, kind);
      if (!scope) {
        problems.push(`${what}: nothing known installs the CRD of ${group}/${kind}`);
        continue;
      }
      const crd = crdOf.get(`${group}/${kind}`);
      if (!BUILT_IN_GROUPS.has(group) && crd && !root.releases.includes(crd.installedBy)) {
        const installer = apps.find((candidate) => candidate.name === crd.installedBy);
        if (!installer) {
          problems.push(`${what}: ${crd.installedBy}, which installs the CRD of ${group}/${kind}, has no Application`);
        } else if (installer.wave >= app.wave) {
          problems.push(`${what}: its CRD comes with ${installer.name} in ${wave(installer.wave)}, not before`);
        }
      }
      if (!isGroupKindPermitted(project, group, kind, name, scope)) {
        problems.push(
          `${what}: ${scope === 'Cluster' ? 'cluster-scoped ' : ''}kind ${group}/${kind} is not permitted in project ${projectName}`,
        );
      }
      if (scope === 'Cluster') {
        if (object.metadata?.namespace) problems.push(`${what}: a cluster-scoped object names a namespace`);
        continue;
      }
      const namespace: string = object.metadata?.namespace || destinationNamespace;
      if (!namespace) {
        problems.push(`${what}: names no namespace, and the destination has none`);
        continue;
      }
      if (!isDestinationPermitted(project, server, namespace)) {
        problems.push(`${what}: namespace ${namespace} is not permitted in project ${projectName}`);
      }
      if (!namespaceExists(namespace, app)) {
        const creators = (namespaceCreators.get(namespace) ?? []).map((c) => `${c.name} in ${wave(c.wave)}`);
        problems.push(
          `${what}: namespace ${namespace} does not exist yet (${creators.length > 0 ? `created by ${creators.join(', ')}` : 'nothing creates it'})`,
        );
      }
    }
  }
  return problems;
}
