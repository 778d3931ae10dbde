/**
 * Applies a SyncPlan to a LocalCluster the way Argo CD's application controller would: server-side apply
 * (PATCH application/apply-patch+yaml, field manager `argocd-controller`, force) of each object's own YAML
 * text, with `fieldValidation=Strict` so that an unknown or duplicate field is a rejection and not a silent
 * drop. A namespaced object goes into its own namespace, else its Application's destination namespace.
 * The pinned CRDs are installed when the release that brings them would have installed them: Argo CD's
 * own before the app-of-apps, each Helm add-on's once its Application's wave is done.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CLOUD_HALF_CRD_RELEASES,
  UPSTREAM_CRD_DIRECTORY,
  UPSTREAM_CRDS,
  type UpstreamCrd,
} from '@platform/k8s-platform';
import { parseAllDocuments } from 'yaml';
import type { ApiResponse, LocalCluster } from './local-cluster';
import type { ManifestObject, SyncPlan } from './sync-plan';
import { POD_MAKING_KINDS, type WorkloadRef } from './workloads';

/** Field manager of Argo CD's server-side apply (argo-cd v3.5.1 common.ArgoCDSSAManager). */
export const ARGO_CD_FIELD_MANAGER = 'argocd-controller';
/** The releases of UPSTREAM_CRDS that the AWS half installs before the root app (argo-cd, snapshot-controller). */
const CLOUD_HALF_RELEASES: ReadonlySet<string> = new Set(
  Object.values(CLOUD_HALF_CRD_RELEASES).map((release) => release.release),
);
const ESTABLISHED_TIMEOUT_MS = 60_000;

interface ApiResource {
  readonly name: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

/** The API server's discovery documents, per group/version; cleared when CRDs are added. */
export class Discovery {
  private readonly cache = new Map<string, readonly ApiResource[]>();

  constructor(private readonly cluster: LocalCluster) {}

  clear(): void {
    this.cache.clear();
  }

  /**
   * The resource serving `kind` in `apiVersion`, or undefined when the API server does not serve it.
   * Only a served group/version is cached: one that is not served yet may be by the next call.
   */
  async resolve(apiVersion: string, kind: string): Promise<ApiResource | undefined> {
    let resources = this.cache.get(apiVersion);
    if (resources === undefined) {
      const response = await this.cluster.request(
        'GET',
        apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`,
      );
      if (response.status !== 200) return undefined;
      resources = ((JSON.parse(response.body) as { resources: ApiResource[] }).resources ?? []).filter(
        (resource) => !resource.name.includes('/'),
      );
      this.cache.set(apiVersion, resources);
    }
    return resources.find((resource) => resource.kind === kind);
  }
}

/** The URL path of one object. */
export function objectPath(apiVersion: string, resource: ApiResource, name: string, namespace?: string): string {
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const scope = resource.namespaced ? `/namespaces/${encodeURIComponent(namespace ?? '')}` : '';
  return `${base}${scope}/${resource.name}/${encodeURIComponent(name)}`;
}

const APPLY_QUERY = `fieldManager=${ARGO_CD_FIELD_MANAGER}&force=true&fieldValidation=Strict`;

/** Server-side apply of one YAML document to `path`. */
export function serverSideApply(cluster: LocalCluster, path: string, yamlText: string): Promise<ApiResponse> {
  return cluster.request('PATCH', `${path}?${APPLY_QUERY}`, yamlText, 'application/apply-patch+yaml');
}

/** The `message` of a Status body, or the body itself. */
export function statusMessage(response: ApiResponse): string {
  try {
    const status = JSON.parse(response.body) as { message?: string };
    if (status.message) return status.message;
  } catch {
    // not JSON
  }
  return response.body.trim().slice(0, 500);
}

export interface ApplyOutcome {
  readonly applied: number;
  readonly rejected: number;
  readonly warnings: number;
  /** Each failure names the environment, the file and the object. */
  readonly failures: readonly string[];
  /** Warnings the API server returned for the pinned upstream CRDs themselves (their text, not dist/'s). */
  readonly crdWarnings: readonly string[];
}

function describe(object: ManifestObject, namespace?: string): string {
  return `${object.source} (${object.kind} ${namespace ? `${namespace}/` : ''}${object.name})`;
}

/**
 * Where the CRD that serves `group`/`kind` comes from, for a message: the pinned CRD's release and
 * whether this environment has it.
 */
function crdOrigin(plan: SyncPlan, apiVersion: string, kind: string): string {
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  const crd = UPSTREAM_CRDS.find((candidate) => candidate.group === group && candidate.kinds.includes(kind));
  if (crd === undefined) return 'no pinned CRD (UPSTREAM_CRDS) defines it';
  if (CLOUD_HALF_RELEASES.has(crd.chart.release))
    return `its CRD comes with the cloud half's ${crd.chart.release} release, installed first`;
  const application = plan.waves.flatMap((wave) => wave.applications).find((app) => app.name === crd.chart.release);
  return application === undefined
    ? `its CRD comes with release '${crd.chart.release}', which has no Application in this environment`
    : `its CRD comes with Application '${application.name}' of wave ${application.wave}, ready only after that wave`;
}

export class PlanApplier {
  private readonly discovery: Discovery;
  private applied = 0;
  private rejected = 0;
  private warnings = 0;
  private readonly failures: string[] = [];
  private readonly crdWarnings: string[] = [];
  private readonly appliedWorkloads: WorkloadRef[] = [];

  constructor(
    private readonly cluster: LocalCluster,
    private readonly root: string,
  ) {
    this.discovery = new Discovery(cluster);
  }

  /**
   * Applies the whole plan, after `bootstrap` (the objects the cloud half applies into Argo CD's namespace
   * before the root app syncs); never throws for a rejection, only for a broken cluster.
   */
  async applyPlan(plan: SyncPlan, bootstrap: readonly ManifestObject[] = []): Promise<ApplyOutcome> {
    const environment = plan.environment;
    for (const problem of plan.problems) this.failures.push(`${environment}: ${problem}`);

    // The namespace of Argo CD, made by the AWS half's Helm release of argo-cd before the root app; the CRDs of the
    // AWS half's releases (Argo CD's, the EKS snapshot-controller add-on's) come with it.
    await this.applyOrFail(
      environment,
      `/api/v1/namespaces/${plan.rootNamespace}`,
      `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${plan.rootNamespace}\n`,
      `namespace ${plan.rootNamespace}`,
    );
    await this.installCrds(
      environment,
      UPSTREAM_CRDS.filter((crd) => CLOUD_HALF_RELEASES.has(crd.chart.release)),
    );

    for (const object of bootstrap) {
      await this.applyObject(plan, object, plan.rootNamespace, 'cloud half');
    }
    for (const object of plan.gitops) {
      await this.applyObject(plan, object, plan.rootNamespace, 'root app');
    }
    for (const wave of plan.waves) {
      for (const application of wave.applications) {
        for (const object of application.objects) {
          await this.applyObject(
            plan,
            object,
            application.destinationNamespace,
            `wave ${wave.wave}, Application ${application.name}`,
          );
        }
      }
      const names = new Set(wave.applications.map((application) => application.name));
      const crds = UPSTREAM_CRDS.filter((crd) => names.has(crd.chart.release));
      if (crds.length > 0) await this.installCrds(environment, crds);
    }
    return this.outcome();
  }

  /** The applied objects whose controllers make Pods, for checkWorkloadPods. */
  workloads(): readonly WorkloadRef[] {
    return [...this.appliedWorkloads];
  }

  /** What has been applied, rejected and warned about so far. */
  outcome(): ApplyOutcome {
    return {
      applied: this.applied,
      rejected: this.rejected,
      warnings: this.warnings,
      failures: [...this.failures],
      crdWarnings: [...this.crdWarnings],
    };
  }

  /** Applies one object of dist/ and records its rejection or warnings. */
  async applyObject(plan: SyncPlan, object: ManifestObject, destinationNamespace: string | undefined, where: string) {
    const environment = plan.environment;
    const resource = await this.discovery.resolve(object.apiVersion, object.kind);
    if (resource === undefined) {
      this.rejected += 1;
      this.failures.push(
        `${environment}: ${describe(object)} in ${where}: ${object.apiVersion} ${object.kind} is not served yet: ${crdOrigin(plan, object.apiVersion, object.kind)}`,
      );
      return;
    }
    const namespace = resource.namespaced ? (object.namespace ?? destinationNamespace) : undefined;
    if (resource.namespaced && namespace === undefined) {
      this.rejected += 1;
      this.failures.push(
        `${environment}: ${describe(object)} in ${where}: namespaced, but neither the object nor its Application names a namespace`,
      );
      return;
    }
    const response = await serverSideApply(
      this.cluster,
      objectPath(object.apiVersion, resource, object.name, namespace),
      object.text,
    );
    if (response.status >= 300) {
      this.rejected += 1;
      this.failures.push(
        `${environment}: ${describe(object, namespace)} in ${where}: rejected (HTTP ${response.status}): ${statusMessage(response)}`,
      );
    } else {
      this.applied += 1;
      if (POD_MAKING_KINDS.has(`${object.apiVersion} ${object.kind}`) && namespace !== undefined) {
        this.appliedWorkloads.push({
          environment,
          source: object.source,
          kind: object.kind,
          name: object.name,
          namespace,
          path: objectPath(object.apiVersion, resource, object.name, namespace),
        });
      }
    }
    for (const warning of response.warnings) {
      this.warnings += 1;
      this.failures.push(`${environment}: ${describe(object, namespace)} in ${where}: warning: ${warning}`);
    }
  }

  private async applyOrFail(environment: string, path: string, text: string, what: string): Promise<ApiResponse> {
    const response = await serverSideApply(this.cluster, path, text);
    if (response.status >= 300) {
      throw new Error(`${environment}: cannot create ${what} (HTTP ${response.status}): ${statusMessage(response)}`);
    }
    return response;
  }

  /**
   * Installs pinned CRDs from `.upstream/crds/` and waits until each is Established and its kind is in
   * discovery (Established comes first; an apply right after it can still find the kind unserved).
   */
  private async installCrds(environment: string, crds: readonly UpstreamCrd[]): Promise<void> {
    const installed: { name: string; apiVersions: string[]; kind: string }[] = [];
    for (const crd of crds) {
      const file = join(this.root, UPSTREAM_CRD_DIRECTORY, `${crd.name}.yaml`);
      if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run setup\` (pnpm fetch:upstream)`);
      const text = readFileSync(file, 'utf8');
      for (const document of parseAllDocuments(text)) {
        const value = document.toJS() as {
          kind?: string;
          metadata?: { name?: string };
          spec?: { group: string; names: { kind: string }; versions: { name: string; served: boolean }[] };
        } | null;
        if (value?.kind !== 'CustomResourceDefinition' || !value.metadata?.name || !value.spec) continue;
        const [start, , end] = document.range;
        const name = value.metadata.name;
        const response = await this.applyOrFail(
          environment,
          `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`,
          text.slice(start, end),
          `CRD ${name} (${UPSTREAM_CRD_DIRECTORY}/${crd.name}.yaml, release ${crd.chart.release})`,
        );
        for (const warning of response.warnings) this.crdWarnings.push(`${environment}: CRD ${name}: ${warning}`);
        const { group, names, versions } = value.spec;
        installed.push({
          name,
          kind: names.kind,
          apiVersions: versions.filter((version) => version.served).map((version) => `${group}/${version.name}`),
        });
      }
    }
    for (const { name, kind, apiVersions } of installed) {
      await this.waitUntil(`CRD ${name} Established`, async () => {
        const response = await this.cluster.request(
          'GET',
          `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`,
        );
        if (response.status !== 200) return false;
        const status = (JSON.parse(response.body) as { status?: { conditions?: { type: string; status: string }[] } })
          .status;
        return (status?.conditions ?? []).some(
          (condition) => condition.type === 'Established' && condition.status === 'True',
        );
      });
      for (const apiVersion of apiVersions) {
        await this.waitUntil(`${apiVersion} ${kind} in discovery`, async () => {
          this.discovery.clear();
          return (await this.discovery.resolve(apiVersion, kind)) !== undefined;
        });
      }
    }
    this.discovery.clear();
  }

  private async waitUntil(what: string, done: () => Promise<boolean>): Promise<void> {
    const started = Date.now();
    while (Date.now() - started < ESTABLISHED_TIMEOUT_MS) {
      if (await done()) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`${what}: not after ${ESTABLISHED_TIMEOUT_MS / 1000} s`);
  }
}
