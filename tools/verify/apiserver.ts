/**
 * The real API server as the judge of dist/: for each environment a fresh etcd, kube-apiserver and
 * kube-controller-manager on loopback (./apiserver/local-cluster.ts), the pinned CRDs, then dist/<env>/
 * applied the way Argo CD would, wave by wave and Application by Application, by server-side apply with
 * strict field validation (./apiserver/apply.ts). Any rejection, any Warning header (Pod Security
 * warnings of pod templates included: the namespaces' PSS labels come from dist/ itself), any object that
 * cannot be applied in its wave (namespace or CRD not there yet) and any workload whose Pods the API
 * server refuses to the controllers (./apiserver/workloads.ts) fails the run.
 *
 * Builds (tools/verify/go/, cached in .tools/): kube-apiserver and kube-controller-manager of
 * k8s.io/kubernetes per Kubernetes minor the model's environments run, and etcd v3.6
 * (go.etcd.io/etcd/server/v3).
 */
import { rootApplicationManifest, rootProjectManifest } from '@platform/aws-platform';
import { type Environment, loadPlatformModel } from '@platform/model';
import { parseDocument, type Scalar, type YAMLMap } from 'yaml';
import { objectPath, PlanApplier, serverSideApply, statusMessage } from './apiserver/apply';
import { ensureGoBinary, type GoBinary } from './apiserver/go-build';
import { type ClusterBinaries, LocalCluster } from './apiserver/local-cluster';
import { type ManifestObject, type SyncPlan, syncPlan } from './apiserver/sync-plan';
import { checkWorkloadPods } from './apiserver/workloads';
import type { Engine, EngineContext, EngineResult } from './engine';

/** The two Kubernetes binaries of one release, built from one build module. */
function kubernetesBuild(
  module: string,
  version: string,
): { kubeApiserver: GoBinary; kubeControllerManager: GoBinary } {
  const [major, minor] = version.slice(1).split('.');
  // What the release build stamps (kubernetes hack/lib/version.sh), so /version reports the release.
  const linkerFlags = [
    `-X k8s.io/component-base/version.gitVersion=${version}`,
    `-X k8s.io/component-base/version.gitMajor=${major}`,
    `-X k8s.io/component-base/version.gitMinor=${minor}`,
    '-X k8s.io/component-base/version.gitTreeState=clean',
  ];
  return {
    kubeApiserver: {
      module,
      package: 'k8s.io/kubernetes/cmd/kube-apiserver',
      binary: 'kube-apiserver',
      version,
      linkerFlags,
    },
    kubeControllerManager: {
      module,
      package: 'k8s.io/kubernetes/cmd/kube-controller-manager',
      binary: 'kube-controller-manager',
      version,
      linkerFlags,
    },
  };
}

/**
 * Kubernetes builds by minor (the model's `cluster.kubernetesVersion`). The newest 1.35 patch the Go
 * module proxy serves is v1.35.8. An environment on another minor (the catalogue also lists 1.28) needs
 * its own build module here, pinned to that minor's newest patch.
 */
const KUBERNETES_BUILDS: Readonly<Record<string, ReturnType<typeof kubernetesBuild>>> = {
  '1.35': kubernetesBuild('tools/verify/go/kubernetes-1.35', 'v1.35.8'),
};

/** etcd: the newest 3.6 patch on the Go module proxy (Kubernetes 1.35 is tested with etcd 3.6). */
const ETCD_BUILD: GoBinary = {
  module: 'tools/verify/go/etcd-3.6',
  package: 'go.etcd.io/etcd/server/v3',
  binary: 'etcd',
  version: 'v3.6.16',
};

/** How long the controllers get to create the Pods of an environment's workloads. */
const POD_CREATION_TIMEOUT_MS = 90_000;

/** Argo CD's namespace, where the root app puts dist/<env>/'s Applications and AppProjects. */
const ARGO_CD_NAMESPACE = 'argocd';

function planOf(context: EngineContext, environment: Environment): SyncPlan {
  return syncPlan({
    root: context.root,
    environment: environment.name,
    gitopsPath: environment.gitops.path,
    repoUrl: environment.gitops.repoUrl,
    rootNamespace: ARGO_CD_NAMESPACE,
  });
}

/**
 * The root AppProject and Application the cloud half applies (packages/aws-platform/src/gitops-bootstrap.ts),
 * as JSON, which the API server's YAML decoder reads as well.
 */
function bootstrapObjects(environment: Environment): ManifestObject[] {
  const manifests = [
    ['rootProjectManifest', rootProjectManifest(environment)],
    ['rootApplicationManifest', rootApplicationManifest(environment)],
  ] as const;
  return manifests.map(([builder, manifest]) => {
    const { apiVersion, kind, metadata } = manifest as {
      apiVersion: string;
      kind: string;
      metadata: { name: string; namespace?: string };
    };
    return {
      source: `packages/aws-platform/src/gitops-bootstrap.ts ${builder}(${environment.name})`,
      text: JSON.stringify(manifest),
      apiVersion,
      kind,
      name: metadata.name,
      namespace: metadata.namespace,
      wave: 0,
    };
  });
}

async function binariesFor(context: EngineContext, kubernetesVersion: string): Promise<ClusterBinaries> {
  const build = KUBERNETES_BUILDS[kubernetesVersion];
  if (build === undefined) {
    throw new Error(
      `no Kubernetes build for ${kubernetesVersion}; builds exist for ${Object.keys(KUBERNETES_BUILDS).join(', ')} (tools/verify/apiserver.ts KUBERNETES_BUILDS)`,
    );
  }
  // One after the other: two Go builds at once would share 2 cores and memory for nothing.
  const kubeApiserver = await ensureGoBinary(context, build.kubeApiserver);
  const kubeControllerManager = await ensureGoBinary(context, build.kubeControllerManager);
  const etcd = await ensureGoBinary(context, ETCD_BUILD);
  return { kubeApiserver, kubeControllerManager, etcd };
}

function engineName(versions: readonly string[]): string {
  const builds = versions.map(
    (version) => KUBERNETES_BUILDS[version]?.kubeApiserver.version ?? `(none for ${version})`,
  );
  return `kube-apiserver ${[...new Set(builds)].join(', ')} (+ kube-controller-manager, etcd ${ETCD_BUILD.version})`;
}

async function run(context: EngineContext): Promise<EngineResult> {
  const started = Date.now();
  const model = loadPlatformModel();
  const versions = [...new Set(model.environments.map((environment) => environment.cluster.kubernetesVersion))];
  const failures: string[] = [];
  const counts: string[] = [];
  let rejected = 0;
  let warnings = 0;
  let pods = 0;
  let workloads = 0;
  const crdWarnings: string[] = [];
  for (const environment of model.environments) {
    const plan = planOf(context, environment);
    let binaries: ClusterBinaries;
    try {
      binaries = await binariesFor(context, environment.cluster.kubernetesVersion);
    } catch (error) {
      failures.push(`${environment.name}: ${(error as Error).message}`);
      counts.push(`${environment.name} not applied`);
      continue;
    }
    let cluster: LocalCluster | undefined;
    try {
      cluster = await LocalCluster.start(binaries, context.log);
      context.log(`applying ${environment.gitops.path} (Kubernetes ${environment.cluster.kubernetesVersion})`);
      const bootstrap = bootstrapObjects(environment);
      const applier = new PlanApplier(cluster, context.root);
      const outcome = await applier.applyPlan(plan, bootstrap);
      counts.push(`${environment.name} ${outcome.applied - bootstrap.length}`);
      rejected += outcome.rejected;
      warnings += outcome.warnings;
      failures.push(...outcome.failures);
      crdWarnings.push(...outcome.crdWarnings);
      const podOutcome = await checkWorkloadPods(cluster, applier.workloads(), POD_CREATION_TIMEOUT_MS);
      workloads += applier.workloads().length;
      pods += podOutcome.pods;
      failures.push(...podOutcome.failures);
    } catch (error) {
      // A control plane that would not start, or a pinned CRD it refused: this environment is not judged.
      failures.push(`${environment.name}: ${(error as Error).message}`);
      counts.push(`${environment.name} not applied`);
    } finally {
      await cluster?.stop();
    }
  }
  for (const warning of crdWarnings) context.log(`pinned CRD warning (upstream's text, not a failure): ${warning}`);
  const seconds = Math.round((Date.now() - started) / 1000);
  return {
    engine: engineName(versions),
    ok: failures.length === 0,
    summary: `objects of dist/ applied: ${counts.join(', ')} (and the root AppProject and Application of the cloud half); ${rejected} rejected, ${warnings} warnings; ${workloads} workloads made ${pods} Pods${crdWarnings.length > 0 ? ` (and ${crdWarnings.length} on the pinned CRDs)` : ''}; ${seconds} s`,
    failures,
  };
}

/** `key` with its last two letters swapped (`replicas` → `replicsa`): a plausible typo. */
function misspell(key: string): string {
  return key.length < 2 ? `${key}x` : `${key.slice(0, -2)}${key.slice(-1)}${key.slice(-2, -1)}`;
}

/**
 * A real Deployment of dist/ with one key of its spec misspelt must be rejected by strict field validation,
 * and with `hostNetwork: true` in its pod template it must draw a Pod Security warning in its namespace as
 * dist/ labels it; both are judged by the code that judges run(). The untouched Deployment must pass.
 */
async function selfCheck(context: EngineContext): Promise<string> {
  const model = loadPlatformModel();
  const environment = model.environments[0];
  const plan = planOf(context, environment);
  const applications = plan.waves.flatMap((wave) => wave.applications);
  const objects = applications.flatMap((application) => application.objects);
  const deploymentOwner = applications.find((application) =>
    application.objects.some((object) => object.kind === 'Deployment'),
  );
  const deployment = deploymentOwner?.objects.find((object) => object.kind === 'Deployment');
  if (deploymentOwner === undefined || deployment === undefined) {
    throw new Error(`${environment.gitops.path} has no Deployment to break`);
  }
  const namespace = deployment.namespace ?? deploymentOwner.destinationNamespace ?? 'default';
  const namespaceObject = objects.find((object) => object.kind === 'Namespace' && object.name === namespace);
  const warnLevel = namespaceObject
    ? parseDocument(namespaceObject.text).getIn(['metadata', 'labels', 'pod-security.kubernetes.io/warn'])
    : undefined;

  const document = parseDocument(deployment.text);
  const spec = document.get('spec') as YAMLMap<Scalar<string>, unknown>;
  const key = spec.items[0].key;
  const original = key.value;
  const typo = misspell(original);
  key.value = typo;
  const misspelt: ManifestObject = {
    ...deployment,
    source: `${deployment.source} (spec.${original} misspelt as spec.${key.value})`,
    text: document.toString(),
  };
  key.value = original;
  const podSpec = document.getIn(['spec', 'template', 'spec']) as YAMLMap;
  podSpec.set('hostNetwork', true);
  const hostNetwork: ManifestObject = {
    ...deployment,
    source: `${deployment.source} (with hostNetwork: true)`,
    text: document.toString(),
  };

  const cluster = await LocalCluster.start(
    await binariesFor(context, environment.cluster.kubernetesVersion),
    context.log,
  );
  try {
    // The Deployment's namespace as dist/ makes it (with its Pod Security labels), or a bare one.
    const namespacePath = `/api/v1/namespaces/${namespace}`;
    const created = await serverSideApply(
      cluster,
      namespacePath,
      namespaceObject?.text ?? `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${namespace}\n`,
    );
    if (created.status >= 300) throw new Error(`cannot create namespace ${namespace}: ${statusMessage(created)}`);

    const applier = new PlanApplier(cluster, context.root);
    await applier.applyObject(plan, misspelt, deploymentOwner.destinationNamespace, 'self-check');
    await applier.applyObject(plan, hostNetwork, deploymentOwner.destinationNamespace, 'self-check');
    const outcome = applier.outcome();
    const rejection = outcome.failures.find(
      (failure) =>
        failure.includes(misspelt.source) && failure.includes('rejected') && failure.includes(`spec.${typo}`),
    );
    if (rejection === undefined) {
      throw new Error(`kube-apiserver accepted ${misspelt.source}: strict field validation did not reject it`);
    }
    const lines = [rejection];
    // Any Pod Security level but privileged forbids host namespaces.
    if (typeof warnLevel === 'string' && warnLevel !== 'privileged') {
      const warning = outcome.failures.find(
        (failure) => failure.includes(hostNetwork.source) && failure.includes('warning:'),
      );
      if (warning === undefined) {
        throw new Error(
          `kube-apiserver gave no Pod Security warning for ${hostNetwork.source} in namespace ${namespace}`,
        );
      }
      lines.push(warning);
    }
    // The untouched Deployment goes through, so the rejection above is the typo's.
    const control = await serverSideApply(
      cluster,
      objectPath(
        deployment.apiVersion,
        { name: 'deployments', kind: 'Deployment', namespaced: true },
        deployment.name,
        namespace,
      ),
      deployment.text,
    );
    if (control.status >= 300)
      throw new Error(`the untouched ${deployment.source} was rejected too: ${statusMessage(control)}`);
    return lines.join('\n');
  } finally {
    await cluster.stop();
  }
}

export const apiServerEngine: Engine = { name: 'apiserver', run, selfCheck };
