import { parseAllDocuments } from 'yaml';
import { byteOrder, type Finding } from './findings';

/** The Kubernetes half of a plan: what Argo CD prunes or deletes, and what it leaves in the cluster. */
export interface ArgoCdPlan {
  readonly findings: readonly Finding[];
  /** Environments that leave dist/, one line each: their root Application finds no folder and prunes nothing. */
  readonly notes: readonly string[];
}

/**
 * The kinds whose deletion loses data or everything inside them: a Namespace (every object in it), a
 * PersistentVolumeClaim (its volume, by the usual Delete reclaim policy), a CustomResourceDefinition (every custom
 * resource of it), by API group and kind.
 */
export const STATEFUL_KINDS: readonly { readonly group: string; readonly kind: string }[] = [
  { group: '', kind: 'Namespace' },
  { group: '', kind: 'PersistentVolumeClaim' },
  { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
];

/**
 * The finalizers with which Argo CD deletes an Application's objects when the Application is deleted (Argo CD's
 * `resources-finalizer.argocd.argoproj.io`, and its `/foreground` and `/background` forms); without one, the
 * objects stay.
 */
const RESOURCES_FINALIZERS = [
  'resources-finalizer.argocd.argoproj.io',
  'resources-finalizer.argocd.argoproj.io/foreground',
  'resources-finalizer.argocd.argoproj.io/background',
];

/** An object of a manifest, as Argo CD identifies it: API group, kind, namespace and name. */
interface ManifestObject {
  readonly group: string;
  readonly kind: string;
  /** Its metadata.namespace, or the Application's destination namespace; '' for neither. */
  readonly namespace: string;
  readonly name: string;
  /** The tokens of its `argocd.argoproj.io/sync-options` annotation, e.g. `Prune=false`. */
  readonly syncOptions: readonly string[];
}

/** An Application of an app-of-apps folder, as far as the plan reads it. */
interface Application {
  readonly name: string;
  /** The folder below dist/ its directory source syncs (`dev/services/x`); undefined for a chart or another repo. */
  readonly folder?: string;
  readonly recurse: boolean;
  /** `<chart> <version> from <repository>` for a Helm chart source. */
  readonly chart?: string;
  readonly destinationNamespace: string;
  /** Whether it syncs with automated prune. */
  readonly prunes: boolean;
  /** Whether it carries a resources finalizer, so that deleting it deletes its objects. */
  readonly cascades: boolean;
}

/** The environment's files below its folder, by path below dist/, parsed once. */
type Manifests = ReadonlyMap<string, readonly Record<string, unknown>[]>;

/**
 * What the new dist/ makes Argo CD prune or delete in each environment that both revisions have, per Application:
 *
 * - an object that the base revision's folder of an Application holds and its new folder does not (by API group,
 *   kind, namespace and name; an object without a namespace takes the Application's destination namespace) is
 *   pruned when the Application syncs with automated prune, unless the base object says
 *   `argocd.argoproj.io/sync-options: Prune=false` (or `Prune=confirm`, which waits for a person). An object that moves
 *   to another Application's folder is pruned too: the old Application may prune it before the new one takes it over;
 * - an Application that leaves the environment's folder is pruned by the root Application (which syncs that folder
 *   with prune: GITOPS_ROOT_APPLICATION in the cloud stack), and its resources finalizer deletes every object it
 *   deployed, except those that say `Delete=false` (or `Delete=confirm`). A directory Application's objects are
 *   listed; a Helm chart's are not in dist/, so the Application itself stands for them and is stateful: a chart
 *   installs CustomResourceDefinitions, whose deletion deletes every custom resource of them.
 *
 * An object is stateful when its kind is (STATEFUL_KINDS). A chart version change of a Helm Application can prune
 * objects too; dist/ does not show them, so neither does the plan.
 *
 * @param rootApplication the name of each environment's root Application (GITOPS_ROOT_APPLICATION)
 * @param before the base manifests by path below dist/ (`<env>/<folder>/<file>.yaml`)
 * @param after the new manifests, likewise
 */
export function argoCdPlan(
  rootApplication: string,
  before: ReadonlyMap<string, string>,
  after: ReadonlyMap<string, string>,
): ArgoCdPlan {
  const findings: Finding[] = [];
  const notes: string[] = [];
  const environmentsOf = (files: ReadonlyMap<string, string>) =>
    new Set([...files.keys()].filter((path) => path.includes('/')).map((path) => path.split('/')[0]));
  const now = environmentsOf(after);
  // Most files are the same at both revisions: each text is parsed once.
  const parse = memoized((text: string) =>
    parseAllDocuments(text)
      .map((document) => document.toJS() as unknown)
      .filter((object): object is Record<string, unknown> => typeof object === 'object' && object !== null),
  );
  for (const environment of [...environmentsOf(before)].sort(byteOrder)) {
    if (!now.has(environment)) {
      notes.push(
        `Environment ${environment} leaves dist/: its root Application finds no folder dist/${environment} and prunes nothing; what runs there stays until it is deleted by hand`,
      );
      continue;
    }
    findings.push(
      ...environmentFindings(
        environment,
        rootApplication,
        parsedIn(before, environment, parse),
        parsedIn(after, environment, parse),
      ),
    );
  }
  return { findings, notes };
}

function parsedIn(
  files: ReadonlyMap<string, string>,
  environment: string,
  parse: (text: string) => Record<string, unknown>[],
): Manifests {
  const parsed = new Map<string, Record<string, unknown>[]>();
  for (const [path, text] of files) {
    if (path.startsWith(`${environment}/`) && /\.ya?ml$/.test(path)) parsed.set(path, parse(text));
  }
  return parsed;
}

function memoized<T>(compute: (text: string) => T): (text: string) => T {
  const known = new Map<string, T>();
  return (text) => {
    if (!known.has(text)) known.set(text, compute(text));
    return known.get(text) as T;
  };
}

function environmentFindings(environment: string, root: string, before: Manifests, after: Manifests): Finding[] {
  const thenApps = applicationsIn(before, environment, root);
  const nowApps = applicationsIn(after, environment, root);
  const findings: Finding[] = [];
  const nowOwners = ownersByObject(after, nowApps);
  for (const [name, app] of thenApps) {
    const stays = nowApps.get(name);
    // An Application that leaves is pruned by the root Application; its objects go with it (below).
    if (!stays) continue;
    const where = `Argo CD ${environment}, Application ${name}`;
    const kept = new Set(objectsOf(after, stays).map(identity));
    for (const object of objectsOf(before, app)) {
      if (kept.has(identity(object))) continue;
      const movesTo = (nowOwners.get(identity(object)) ?? []).filter((owner) => owner !== name);
      const prunedApplication =
        name === root && object.group === 'argoproj.io' && object.kind === 'Application'
          ? thenApps.get(object.name)
          : undefined;
      findings.push(
        objectFinding(environment, name, where, object, pruneOutcome(object, stays, movesTo), prunedApplication),
      );
    }
  }
  // Applications that leave: the root Application prunes them, and their finalizer takes their objects along.
  for (const [name, app] of thenApps) {
    if (name === root || nowApps.has(name)) continue;
    const where = `Argo CD ${environment}, Application ${name}`;
    if (!app.cascades) continue;
    for (const object of objectsOf(before, app)) {
      const movesTo = nowOwners.get(identity(object)) ?? [];
      findings.push(objectFinding(environment, name, where, object, deletionOutcome(object, movesTo), undefined));
    }
  }
  return findings;
}

type Outcome = { readonly change: 'prune' | 'delete' | 'kept'; readonly words: string };

function pruneOutcome(object: ManifestObject, app: Application, movesTo: readonly string[]): Outcome {
  if (object.syncOptions.includes('Prune=false')) {
    return {
      change: 'kept',
      words: 'leaves Git but is not pruned (Prune=false): it stays in the cluster until deleted by hand',
    };
  }
  if (object.syncOptions.includes('Prune=confirm')) {
    return { change: 'kept', words: 'leaves Git; Argo CD prunes it once someone confirms it (Prune=confirm)' };
  }
  if (!app.prunes) {
    return {
      change: 'kept',
      words: 'leaves Git; its Application does not prune automatically, so it stays until a sync with prune',
    };
  }
  const move =
    movesTo.length > 0
      ? ` (it moves to ${movesTo.map((owner) => `Application ${owner}`).join(', ')}, which may take it over only after the prune)`
      : '';
  return { change: 'prune', words: `is pruned${move}` };
}

function deletionOutcome(object: ManifestObject, movesTo: readonly string[]): Outcome {
  if (object.syncOptions.includes('Delete=false')) {
    return {
      change: 'kept',
      words: 'is not deleted with its Application (Delete=false): it stays in the cluster until deleted by hand',
    };
  }
  if (object.syncOptions.includes('Delete=confirm')) {
    return { change: 'kept', words: 'is deleted with its Application once someone confirms it (Delete=confirm)' };
  }
  const move =
    movesTo.length > 0 ? ` (${movesTo.map((owner) => `Application ${owner}`).join(', ')} then creates it anew)` : '';
  return { change: 'delete', words: `is deleted with its Application, which leaves the app-of-apps${move}` };
}

/**
 * One finding for an object. An Application object that the root Application prunes, with a resources finalizer and
 * a Helm chart source, stands for the chart's objects, which dist/ does not hold: stateful.
 */
function objectFinding(
  environment: string,
  application: string,
  where: string,
  object: ManifestObject,
  outcome: Outcome,
  prunedApplication: Application | undefined,
): Finding {
  const statefulKind = STATEFUL_KINDS.some(({ group, kind }) => group === object.group && kind === object.kind);
  const helmCascade =
    prunedApplication?.chart !== undefined &&
    prunedApplication.cascades &&
    object.group === 'argoproj.io' &&
    object.kind === 'Application' &&
    outcome.change === 'prune';
  const words = helmCascade
    ? `${outcome.words}, and its resources finalizer deletes every object of its Helm chart ${prunedApplication?.chart}, custom resource definitions included; dist/ does not hold them, so they are not listed`
    : prunedApplication && outcome.change === 'prune'
      ? prunedApplication.cascades
        ? `${outcome.words}, and its resources finalizer deletes the objects it deployed (listed under it)`
        : `${outcome.words}; it has no resources finalizer, so the objects it deployed stay in the cluster`
      : outcome.words;
  return {
    side: 'kubernetes',
    where,
    change: outcome.change,
    text: `${shownObject(object)} ${words}`,
    stateful: statefulKind || helmCascade,
    key: {
      environment,
      application,
      ...(object.group === '' ? {} : { group: object.group }),
      kind: object.kind,
      ...(object.namespace === '' ? {} : { namespace: object.namespace }),
      name: object.name,
    },
    order: identity(object),
  };
}

/** `<Kind>[.<group>] [<namespace>/]<name>`, as kubectl names a resource. */
function shownObject(object: ManifestObject): string {
  const kind = object.group === '' ? object.kind : `${object.kind}.${object.group}`;
  return `${kind} ${object.namespace === '' ? '' : `${object.namespace}/`}${object.name}`;
}

function identity(object: ManifestObject): string {
  return `${object.group}/${object.kind}/${object.namespace}/${object.name}`;
}

/**
 * The Applications of an environment: the root Application (its own folder, with prune) and every Application its
 * folder holds.
 */
function applicationsIn(files: Manifests, environment: string, root: string): Map<string, Application> {
  const apps = new Map<string, Application>([
    [
      root,
      { name: root, folder: environment, recurse: false, destinationNamespace: '', prunes: true, cascades: false },
    ],
  ]);
  for (const [path, objects] of files) {
    if (path.split('/').length !== 2) continue;
    for (const object of objects) {
      if (object.kind !== 'Application' || groupOf(object.apiVersion) !== 'argoproj.io') continue;
      const app = applicationOf(object);
      if (app) apps.set(app.name, app);
    }
  }
  return apps;
}

function applicationOf(object: Record<string, unknown>): Application | undefined {
  const metadata = record(object.metadata);
  const spec = record(object.spec);
  const name = metadata.name;
  if (typeof name !== 'string') return undefined;
  const sources = [record(spec.source), ...(Array.isArray(spec.sources) ? spec.sources.map(record) : [])];
  const directory = sources.find((source) => typeof source.path === 'string' && source.path.startsWith('dist/'));
  const chart = sources.find((source) => typeof source.chart === 'string');
  const finalizers = Array.isArray(metadata.finalizers) ? metadata.finalizers : [];
  const automated = record(record(spec.syncPolicy).automated);
  return {
    name,
    ...(directory ? { folder: String(directory.path).slice('dist/'.length).replace(/\/+$/, '') } : {}),
    recurse: record(directory?.directory).recurse === true,
    ...(chart
      ? { chart: `${chart.chart} ${chart.targetRevision ?? ''} from ${chart.repoURL ?? ''}`.replace('  ', ' ') }
      : {}),
    destinationNamespace:
      typeof record(spec.destination).namespace === 'string' ? String(record(spec.destination).namespace) : '',
    prunes: automated.prune === true,
    cascades: finalizers.some((finalizer) => RESOURCES_FINALIZERS.includes(String(finalizer))),
  };
}

/** The objects an Application deploys: those of the files in its folder (and below it, when it recurses). */
function objectsOf(files: Manifests, app: Application): ManifestObject[] {
  if (app.folder === undefined) return [];
  const objects: ManifestObject[] = [];
  for (const [path, raws] of files) {
    const folder = path.slice(0, path.lastIndexOf('/'));
    if (folder !== app.folder && !(app.recurse && folder.startsWith(`${app.folder}/`))) continue;
    for (const raw of raws) {
      const metadata = record(raw.metadata);
      if (typeof raw.kind !== 'string' || typeof metadata.name !== 'string') continue;
      const annotations = record(metadata.annotations);
      const options = annotations['argocd.argoproj.io/sync-options'];
      objects.push({
        group: groupOf(raw.apiVersion),
        kind: raw.kind,
        namespace: typeof metadata.namespace === 'string' ? metadata.namespace : app.destinationNamespace,
        name: metadata.name,
        syncOptions: typeof options === 'string' ? options.split(',').map((option) => option.trim()) : [],
      });
    }
  }
  return objects.sort((a, b) => byteOrder(identity(a), identity(b)));
}

/** For each object the new folders hold, the Applications that deploy it. */
function ownersByObject(files: Manifests, apps: ReadonlyMap<string, Application>): Map<string, string[]> {
  const owners = new Map<string, string[]>();
  for (const app of apps.values()) {
    for (const object of objectsOf(files, app)) {
      owners.set(identity(object), [...(owners.get(identity(object)) ?? []), app.name]);
    }
  }
  return owners;
}

/** The API group of an apiVersion: `apps/v1` → `apps`, `v1` → '' (the core group). */
function groupOf(apiVersion: unknown): string {
  const text = String(apiVersion ?? '');
  return text.includes('/') ? text.slice(0, text.lastIndexOf('/')) : '';
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
