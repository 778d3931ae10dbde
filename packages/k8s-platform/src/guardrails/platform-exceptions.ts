import { PLATFORM_NAMESPACES } from '@platform/model';

/** One policy waived for one platform namespace, and why. */
export interface PlatformException {
  readonly namespace: string;
  readonly policy: string;
  readonly reason: string;
}

const UPSTREAM_IMAGES = 'runs the upstream images of its Helm chart or EKS add-on, not images of our registry';
const CHART_LABELS = 'its Helm chart sets its own labels, not every recommended label';

/**
 * The add-ons of the platform namespaces run upstream images and, some of them, node agents that need the
 * host. Each waiver is for one policy in one namespace; everything else still applies there.
 */
export const PLATFORM_EXCEPTIONS: readonly PlatformException[] = [
  ...[
    PLATFORM_NAMESPACES.argocd,
    PLATFORM_NAMESPACES.externalSecrets,
    PLATFORM_NAMESPACES.karpenter,
    PLATFORM_NAMESPACES.kyverno,
    PLATFORM_NAMESPACES.monitoring,
    PLATFORM_NAMESPACES.kubeSystem,
  ].flatMap((namespace) => [
    { namespace, policy: 'restrict-image-registries', reason: UPSTREAM_IMAGES },
    { namespace, policy: 'require-recommended-labels', reason: CHART_LABELS },
  ]),
  {
    namespace: PLATFORM_NAMESPACES.argocd,
    policy: 'require-probes',
    reason: 'the Argo CD repo-server init container and the Redis of the chart have no probes of their own',
  },
  {
    namespace: PLATFORM_NAMESPACES.kyverno,
    policy: 'require-probes',
    reason: 'the Kyverno cleanup and hook Pods of the chart have no probes',
  },
  {
    namespace: PLATFORM_NAMESPACES.monitoring,
    policy: 'disallow-host-namespaces',
    reason: 'node-exporter reads node metrics from the host network and PID namespaces',
  },
  {
    namespace: PLATFORM_NAMESPACES.monitoring,
    policy: 'disallow-host-path',
    reason: 'node-exporter mounts /proc, /sys and / of the node read-only to report filesystem and kernel metrics',
  },
  {
    namespace: PLATFORM_NAMESPACES.monitoring,
    policy: 'disallow-host-ports',
    reason: 'node-exporter listens on host port 9100 so Prometheus scrapes each node at its address',
  },
  {
    namespace: PLATFORM_NAMESPACES.monitoring,
    policy: 'restrict-volume-types',
    reason: 'node-exporter mounts hostPath volumes of the node',
  },
  {
    namespace: PLATFORM_NAMESPACES.monitoring,
    policy: 'require-ro-rootfs',
    reason: 'Grafana of the chart writes plugins and its database below its root filesystem',
  },
  ...[
    'disallow-host-namespaces',
    'disallow-host-path',
    'disallow-host-ports',
    'disallow-privileged-containers',
    'disallow-capabilities',
    'restrict-volume-types',
    'disallow-privilege-escalation',
    'require-run-as-nonroot',
    'require-seccomp-profile',
    'require-drop-all-capabilities',
    'require-ro-rootfs',
    'require-requests-limits',
    'require-probes',
  ].map((policy) => ({
    namespace: PLATFORM_NAMESPACES.kubeSystem,
    policy,
    reason:
      'the EKS node agents (VPC CNI aws-node, kube-proxy, EBS CSI node) configure the node network and storage and need the host',
  })),
];
