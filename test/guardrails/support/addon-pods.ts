/**
 * Objects the API server admits for an add-on, built from its recorded facts: each workload, and the Pod its
 * controller creates (owned by a ReplicaSet, StatefulSet, DaemonSet or Job), in the add-on's namespace.
 */
import type { AddonFacts, ContainerFacts, WorkloadFacts } from './addon-pod-facts';
import type { KubeObject } from './kyverno-evaluation';

// biome-ignore lint/suspicious/noExplicitAny: pod specs are free-form manifests
type Json = Record<string, any>;

function container(facts: ContainerFacts): Json {
  return {
    name: facts.name,
    image: facts.image,
    ...(facts.securityContext && { securityContext: structuredClone(facts.securityContext) }),
    ...(facts.resources && { resources: structuredClone(facts.resources) }),
    ...(facts.probes && {
      livenessProbe: { httpGet: { path: '/healthz', port: 8080 } },
      readinessProbe: { httpGet: { path: '/readyz', port: 8080 } },
    }),
    ...(facts.hostPorts && { ports: facts.hostPorts.map((port) => ({ containerPort: port, hostPort: port })) }),
  };
}

/** The pod spec of a workload, as admission sees it. */
export function podSpecOf(workload: WorkloadFacts): Json {
  return {
    ...(workload.hostNetwork && { hostNetwork: true }),
    ...(workload.hostPID && { hostPID: true }),
    ...(workload.podSecurityContext && { securityContext: structuredClone(workload.podSecurityContext) }),
    ...(workload.kind === 'Job' && { restartPolicy: 'Never' }),
    ...(workload.volumes && {
      volumes: workload.volumes.map((volume, index) =>
        volume.startsWith('hostPath:')
          ? { name: `volume-${index}`, hostPath: { path: volume.slice('hostPath:'.length) } }
          : { name: `volume-${index}`, [volume]: volume === 'persistentVolumeClaim' ? { claimName: 'data' } : {} },
      ),
    }),
    ...(workload.initContainers && { initContainers: workload.initContainers.map(container) }),
    containers: workload.containers.map(container),
  };
}

const POD_OWNER: Record<WorkloadFacts['kind'], string> = {
  Deployment: 'ReplicaSet',
  StatefulSet: 'StatefulSet',
  DaemonSet: 'DaemonSet',
  Job: 'Job',
};
const API_VERSION: Record<WorkloadFacts['kind'], string> = {
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  Job: 'batch/v1',
};

/** The workload and its Pod, in `namespace`. */
export function addonObjects(addon: AddonFacts, workload: WorkloadFacts, namespace: string): KubeObject[] {
  const labels = { 'app.kubernetes.io/name': workload.name, 'app.kubernetes.io/instance': addon.addon };
  const spec = podSpecOf(workload);
  const template = { metadata: { labels }, spec };
  const controllerSpec = workload.kind === 'Job' ? { template } : { selector: { matchLabels: labels }, template };
  return [
    {
      apiVersion: API_VERSION[workload.kind],
      kind: workload.kind,
      metadata: { name: workload.name, namespace, labels },
      spec: controllerSpec,
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `${workload.name}-0`,
        namespace,
        labels,
        ownerReferences: [{ apiVersion: 'apps/v1', kind: POD_OWNER[workload.kind], name: workload.name, uid: '0' }],
      },
      spec: structuredClone(spec),
    },
  ];
}
