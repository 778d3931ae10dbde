/**
 * Whether the Pods of each workload of dist/ get created. The Deployment, StatefulSet and ReplicaSet
 * controllers of kube-controller-manager create them through the API server, whose Pod admission can
 * refuse what the workload's own admission let through: Pod Security `enforce` (a workload only draws a
 * warning), a LimitRange maximum, a ResourceQuota, a ServiceAccount that does not exist. A refused Pod
 * leaves the workload short of replicas with a FailedCreate event, which this check reports.
 * A HorizontalPodAutoscaler first raises its target to minReplicas (without metrics), so its first pass
 * is awaited before replicas are counted.
 */
import type { LocalCluster } from './local-cluster';

/** A workload that makes Pods without a node: DaemonSets need nodes, (Cron)Jobs are not in dist/ today. */
export const POD_MAKING_KINDS: ReadonlySet<string> = new Set([
  'apps/v1 Deployment',
  'apps/v1 StatefulSet',
  'apps/v1 ReplicaSet',
]);

export interface WorkloadRef {
  readonly environment: string;
  /** The file of dist/ it came from. */
  readonly source: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  /** URL path of the object. */
  readonly path: string;
}

export interface WorkloadOutcome {
  /** Pods the controllers created for the workloads. */
  readonly pods: number;
  readonly failures: readonly string[];
}

interface WorkloadObject {
  metadata: { generation?: number };
  spec?: { replicas?: number };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    conditions?: { type: string; status: string; message?: string }[];
  };
}

interface EventList {
  items: {
    reason?: string;
    message?: string;
    involvedObject: { kind?: string; name?: string };
    lastTimestamp?: string;
    eventTime?: string;
  }[];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function getJson<T>(cluster: LocalCluster, path: string): Promise<T | undefined> {
  const response = await cluster.request('GET', path);
  return response.status === 200 ? (JSON.parse(response.body) as T) : undefined;
}

/** Waits until every HorizontalPodAutoscaler of the namespaces has been through the controller once. */
async function awaitAutoscalers(cluster: LocalCluster, namespaces: readonly string[], deadline: number): Promise<void> {
  for (const namespace of namespaces) {
    while (Date.now() < deadline) {
      const list = await getJson<{ items: { status?: { conditions?: unknown[] } }[] }>(
        cluster,
        `/apis/autoscaling/v2/namespaces/${namespace}/horizontalpodautoscalers`,
      );
      if (list === undefined || list.items.every((hpa) => (hpa.status?.conditions ?? []).length > 0)) break;
      await sleep(500);
    }
  }
}

/** Why the Pods of `workload` were not created: the newest FailedCreate event of it or its ReplicaSets. */
async function failedCreate(cluster: LocalCluster, workload: WorkloadRef): Promise<string> {
  const events = await getJson<EventList>(cluster, `/api/v1/namespaces/${workload.namespace}/events`);
  const own = (events?.items ?? [])
    .filter(
      (event) =>
        event.reason === 'FailedCreate' &&
        (event.involvedObject.name === workload.name ||
          (event.involvedObject.kind === 'ReplicaSet' && event.involvedObject.name?.startsWith(`${workload.name}-`))),
    )
    .sort((a, b) => ((a.lastTimestamp ?? a.eventTime ?? '') < (b.lastTimestamp ?? b.eventTime ?? '') ? -1 : 1));
  return own.at(-1)?.message ?? 'no FailedCreate event';
}

/**
 * Waits up to `timeoutMs` for every workload to have as many Pods as it asks for (after its autoscaler's
 * first pass) and reports each one that does not, with the API server's reason.
 */
export async function checkWorkloadPods(
  cluster: LocalCluster,
  workloads: readonly WorkloadRef[],
  timeoutMs: number,
): Promise<WorkloadOutcome> {
  const deadline = Date.now() + timeoutMs;
  await awaitAutoscalers(cluster, [...new Set(workloads.map((workload) => workload.namespace))], deadline);
  const pending = new Map(workloads.map((workload) => [workload.path, workload]));
  const created = new Map<string, number>();
  const shortOf = new Map<string, { desired: number; replicas: number }>();
  while (pending.size > 0) {
    for (const path of pending.keys()) {
      const object = await getJson<WorkloadObject>(cluster, path);
      const desired = object?.spec?.replicas ?? 1;
      const replicas = object?.status?.replicas ?? 0;
      const observed = (object?.status?.observedGeneration ?? 0) >= (object?.metadata.generation ?? 1);
      if (observed && replicas >= desired) {
        pending.delete(path);
        created.set(path, replicas);
      } else {
        shortOf.set(path, { desired, replicas });
      }
    }
    if (pending.size === 0 || Date.now() >= deadline) break;
    await sleep(1000);
  }
  const failures: string[] = [];
  for (const [path, workload] of pending) {
    const { desired, replicas } = shortOf.get(path) ?? { desired: 1, replicas: 0 };
    failures.push(
      `${workload.environment}: ${workload.source} (${workload.kind} ${workload.namespace}/${workload.name}): ${replicas} of ${desired} Pods created after ${Math.round(timeoutMs / 1000)} s: ${await failedCreate(cluster, workload)}`,
    );
  }
  return { pods: [...created.values()].reduce((sum, count) => sum + count, 0), failures };
}
