/**
 * The order in which Argo CD would apply one environment's dist/ folder to an empty cluster, read from
 * the files alone (no cluster needed): the app-of-apps objects (AppProjects and Applications, synced by
 * the root Application of the AWS half into the Argo CD namespace), then each Application's folder,
 * wave by wave, and the CRDs each Helm add-on Application brings with it.
 *
 * Argo CD facts used here (argoproj/argo-cd v3.5.1, gitops-engine/pkg/sync/sync_tasks.go): within one
 * sync, resources are applied by wave (annotation `argocd.argoproj.io/sync-wave`, default 0), then by the
 * kind order below, then by name; a wave starts when every resource of the one before is healthy, and
 * for the root app that includes the child Applications (the platform configures a health check for
 * argoproj.io/Application, see packages/aws-platform/src/gitops-bootstrap.ts).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** Argo CD's kind order within a wave: gitops-engine/pkg/sync/sync_tasks.go `kindOrder` (argo-cd v3.5.1). */
const ARGO_CD_KIND_ORDER = [
  'Namespace',
  'NetworkPolicy',
  'ResourceQuota',
  'LimitRange',
  'PodSecurityPolicy',
  'PodDisruptionBudget',
  'ServiceAccount',
  'Secret',
  'SecretList',
  'ConfigMap',
  'StorageClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleList',
  'ClusterRoleBinding',
  'ClusterRoleBindingList',
  'Role',
  'RoleList',
  'RoleBinding',
  'RoleBindingList',
  'Service',
  'DaemonSet',
  'Pod',
  'ReplicationController',
  'ReplicaSet',
  'Deployment',
  'HorizontalPodAutoscaler',
  'StatefulSet',
  'Job',
  'CronJob',
  'IngressClass',
  'Ingress',
  'APIService',
] as const;

export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';

/** One YAML document of dist/, with the text the API server will decode. */
export interface ManifestObject {
  /** Path of its file relative to the repository root, with `#n` for the n-th document of a multi-document file. */
  readonly source: string;
  /** The document's own text, unchanged, so the API server's Go YAML decoder reads what Argo CD reads. */
  readonly text: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  /** `metadata.namespace`, when the object names one. */
  readonly namespace?: string;
  /** The object's sync wave within its Application (0 when unannotated). */
  readonly wave: number;
}

export interface PlannedApplication {
  readonly name: string;
  /** The Application's wave within the root app. */
  readonly wave: number;
  /** `spec.destination.namespace`: where namespaced objects without a namespace go. */
  readonly destinationNamespace?: string;
  /** The folder of dist/ it syncs (relative to the root); absent for a Helm add-on (chart from a chart repository). */
  readonly folder?: string;
  /** Its objects in Argo CD's order; empty for a Helm add-on, whose chart is not rendered here. */
  readonly objects: readonly ManifestObject[];
}

export interface SyncWave {
  readonly wave: number;
  readonly applications: readonly PlannedApplication[];
}

export interface SyncPlan {
  readonly environment: string;
  /** The AppProjects and Applications of `dist/<env>/` in the root app's order; they go into `rootNamespace`. */
  readonly gitops: readonly ManifestObject[];
  readonly rootNamespace: string;
  /** The Applications grouped by wave, lowest first; within a wave by name. */
  readonly waves: readonly SyncWave[];
  /** Problems found while reading the folder (unreadable YAML, a missing folder, a bad wave); each names its file. */
  readonly problems: readonly string[];
}

export interface SyncPlanOptions {
  readonly root: string;
  readonly environment: string;
  /** Folder of the app-of-apps, relative to the root, e.g. `dist/dev` (the model's `gitops.path`). */
  readonly gitopsPath: string;
  /** The Git repository the Applications of dist/ point at (the model's `gitops.repoUrl`). */
  readonly repoUrl: string;
  /** Namespace of Argo CD, where the root app puts the Applications and AppProjects. */
  readonly rootNamespace: string;
}

/**
 * Parses a sync-wave annotation value as Argo CD does (Go strconv.Atoi: optional sign, digits, no spaces;
 * gitops-engine/pkg/sync/syncwaves/waves.go); 0 when absent, undefined when Argo CD would silently ignore
 * it and use wave 0, which this check reports instead.
 */
export function parseSyncWave(value: unknown): number | undefined {
  if (value === undefined) return 0;
  if (typeof value !== 'string' || !/^[-+]?\d+$/.test(value)) return undefined;
  return Number.parseInt(value, 10);
}

function kindRank(kind: string): number {
  const index = (ARGO_CD_KIND_ORDER as readonly string[]).indexOf(kind);
  // Kinds outside the table (custom resources, Application, …) come after every listed kind.
  return index === -1 ? ARGO_CD_KIND_ORDER.length : index;
}

/** Argo CD's order of the resources of one sync: wave, kind, name. */
export function compareSyncOrder(a: ManifestObject, b: ManifestObject): number {
  return a.wave - b.wave || kindRank(a.kind) - kindRank(b.kind) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** The YAML documents of one file, each with its own text; problems name the file. */
export function readManifests(root: string, file: string, problems: string[]): ManifestObject[] {
  const path = relative(root, file);
  const text = readFileSync(file, 'utf8');
  // Duplicate keys are left to the API server's strict decoder to judge, not refused here.
  const documents = parseAllDocuments(text, { uniqueKeys: false });
  const objects: ManifestObject[] = [];
  documents.forEach((document, index) => {
    const source = documents.length > 1 ? `${path}#${index + 1}` : path;
    if (document.errors.length > 0) {
      problems.push(`${source}: not valid YAML: ${document.errors[0].message}`);
      return;
    }
    const value = document.toJS() as Record<string, unknown> | null;
    if (value === null || value === undefined) return;
    const metadata = (value.metadata ?? {}) as Record<string, unknown>;
    const annotations = (metadata.annotations ?? {}) as Record<string, unknown>;
    const wave = parseSyncWave(annotations[SYNC_WAVE_ANNOTATION]);
    if (typeof value.apiVersion !== 'string' || typeof value.kind !== 'string' || typeof metadata.name !== 'string') {
      problems.push(`${source}: an object needs apiVersion, kind and metadata.name`);
      return;
    }
    if (wave === undefined) {
      problems.push(
        `${source}: ${SYNC_WAVE_ANNOTATION} must be an integer, found ${JSON.stringify(annotations[SYNC_WAVE_ANNOTATION])}`,
      );
      return;
    }
    const [start, , end] = document.range;
    objects.push({
      source,
      text: text.slice(start, end),
      apiVersion: value.apiVersion,
      kind: value.kind,
      name: metadata.name,
      namespace: typeof metadata.namespace === 'string' && metadata.namespace !== '' ? metadata.namespace : undefined,
      wave,
    });
  });
  return objects;
}

/** The manifest files Argo CD's directory source reads in `folder`: *.yaml, *.yml, *.json, sorted. */
function manifestFiles(folder: string, recurse: boolean): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      if (recurse) files.push(...manifestFiles(path, recurse));
    } else if (/\.(ya?ml|json)$/.test(entry.name)) {
      files.push(path);
    }
  }
  return files;
}

interface ApplicationSource {
  repoURL?: string;
  path?: string;
  chart?: string;
  directory?: { recurse?: boolean; include?: string; exclude?: string };
}

/** Reads `dist/<env>/` and orders it the way the root app and its children would sync it. */
export function syncPlan(options: SyncPlanOptions): SyncPlan {
  const { root, environment, gitopsPath, repoUrl, rootNamespace } = options;
  const problems: string[] = [];
  const rootFolder = join(root, gitopsPath);
  if (!existsSync(rootFolder) || !statSync(rootFolder).isDirectory()) {
    return { environment, gitops: [], rootNamespace, waves: [], problems: [`${gitopsPath}: no such folder`] };
  }
  // Files read by the root app or a child Application, to find the ones none of them reaches.
  const covered = new Set<string>();
  const read = (file: string) => {
    covered.add(relative(root, file));
    return readManifests(root, file, problems);
  };
  // The root Application reads its folder without recursing (gitops-bootstrap.ts: directory.recurse false).
  const gitops = manifestFiles(rootFolder, false).flatMap(read).sort(compareSyncOrder);

  const applications: PlannedApplication[] = [];
  for (const object of gitops) {
    if (object.apiVersion !== 'argoproj.io/v1alpha1' || object.kind !== 'Application') continue;
    const value = parseAllDocuments(object.text)[0].toJS() as {
      spec?: { destination?: { namespace?: string }; source?: ApplicationSource; sources?: ApplicationSource[] };
    };
    const sources = value.spec?.sources ?? (value.spec?.source ? [value.spec.source] : []);
    // A Helm add-on names a chart (or an OCI chart repository); any other source is a Git folder, and the only
    // Git repository dist/ may point at is the model's: a folder of another repository is not what this check reads.
    const isChart = (source: ApplicationSource) =>
      source.chart !== undefined || (source.repoURL ?? '').startsWith('oci://');
    for (const source of sources) {
      if (!isChart(source) && source.repoURL !== repoUrl) {
        problems.push(
          `${object.source}: Application '${object.name}' syncs a folder of ${JSON.stringify(source.repoURL)}, ` +
            `not of the model's gitops.repoUrl ${JSON.stringify(repoUrl)}`,
        );
      }
    }
    const folders = sources.filter((source) => !isChart(source) && source.repoURL === repoUrl);
    const objects: ManifestObject[] = [];
    let folder: string | undefined;
    for (const source of folders) {
      const path = source.path ?? '';
      const directory = join(root, path);
      if (source.directory?.include !== undefined || source.directory?.exclude !== undefined) {
        problems.push(`${object.source}: directory.include/exclude are not modelled by this check`);
      }
      if (!existsSync(directory) || !statSync(directory).isDirectory()) {
        problems.push(
          `${object.source}: Application '${object.name}' syncs '${path}', which is not a folder of the repository`,
        );
        continue;
      }
      folder = path;
      for (const file of manifestFiles(directory, source.directory?.recurse === true)) {
        objects.push(...read(file));
      }
    }
    const destination = value.spec?.destination?.namespace;
    applications.push({
      name: object.name,
      wave: object.wave,
      destinationNamespace: destination === undefined || destination === '' ? undefined : destination,
      folder,
      objects: objects.sort(compareSyncOrder),
    });
  }

  // Every YAML file of the environment's folder must be synced by the root app or one of its Applications;
  // a file no Application reaches would never get to the cluster.
  for (const file of manifestFiles(rootFolder, true)) {
    const path = relative(root, file);
    if (/\.ya?ml$/.test(path) && !covered.has(path)) {
      problems.push(`${path}: no Application of ${gitopsPath} syncs this file`);
    }
  }

  const waveNumbers = [...new Set(applications.map((application) => application.wave))].sort((a, b) => a - b);
  const waves = waveNumbers.map((wave) => ({
    wave,
    applications: applications
      .filter((application) => application.wave === wave)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  }));
  return { environment, gitops, rootNamespace, waves, problems };
}
