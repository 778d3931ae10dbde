import { PLATFORM_NAMESPACES } from '@platform/model';
import { leastStrict, type PodSecurityLevel, type PodSecurityLevels } from './pod-security';

/**
 * Namespace label that says where the tenant guard rails enforce: `enforce` (team namespaces, and any namespace
 * without the label) or `audit` (the add-on namespaces). The admission policies select namespaces by it.
 */
export const GUARDRAILS_LABEL = 'platform.io/guardrails';
export type GuardrailScope = 'enforce' | 'audit';

/** One add-on of a namespace: the Pod Security level its pods need, and the chart feature that needs it. */
export interface AddonPodSecurity {
  /** The Argo CD Application (or Helm release) of the add-on. */
  readonly addon: string;
  /** The strictest level that admits every pod the add-on runs at its pinned version, as configured. */
  readonly level: PodSecurityLevel;
  /** Which pods or chart features need that level, and why; shown in docs/policies-and-alerts.md. */
  readonly why: string;
}

/** An add-on namespace: Pod Security enforces the least strict level its add-ons need; guard rails only audit. */
export interface AddonNamespace {
  readonly name: string;
  readonly addons: readonly AddonPodSecurity[];
  /** The level whose violations are recorded in the audit log and returned as warnings. */
  readonly warn: PodSecurityLevel;
}

/**
 * The add-on namespaces and their add-ons. EKS creates kube-system and the cloud stack creates argocd; the
 * platform ships them too, for their labels only. Levels are checked against the add-ons' pods at their
 * pinned chart versions by test/guardrails/addon-admission.test.ts.
 */
export const ADDON_NAMESPACES: readonly AddonNamespace[] = [
  {
    name: PLATFORM_NAMESPACES.kubeSystem,
    warn: 'baseline',
    addons: [
      {
        addon: 'vpc-cni',
        level: 'privileged',
        why: 'aws-node runs privileged on the host network, adds NET_ADMIN and mounts the CNI directories of the node (hostPath)',
      },
      {
        addon: 'aws-load-balancer-controller',
        level: 'baseline',
        why: 'drops no capabilities and sets no seccomp profile, so it falls short of restricted',
      },
      { addon: 'metrics-server', level: 'restricted', why: 'its chart sets a restricted security context' },
      {
        addon: 'vertical-pod-autoscaler',
        level: 'restricted',
        why: 'its chart sets a restricted security context for the recommender',
      },
    ],
  },
  {
    name: PLATFORM_NAMESPACES.argocd,
    warn: 'restricted',
    addons: [
      {
        addon: 'argo-cd',
        level: 'restricted',
        why: 'every pod sets a restricted security context, its Redis and the redis-secret-init hook Job included',
      },
    ],
  },
  {
    name: PLATFORM_NAMESPACES.externalDns,
    warn: 'restricted',
    addons: [
      {
        addon: 'external-dns',
        level: 'restricted',
        why: 'its chart runs it as user 65532 with a read-only root, every capability dropped and the RuntimeDefault seccomp profile',
      },
    ],
  },
  {
    name: PLATFORM_NAMESPACES.externalSecrets,
    warn: 'restricted',
    addons: [
      {
        addon: 'external-secrets',
        level: 'restricted',
        why: 'the controller, webhook and cert-controller set a restricted security context',
      },
    ],
  },
  {
    name: PLATFORM_NAMESPACES.karpenter,
    warn: 'restricted',
    addons: [{ addon: 'karpenter', level: 'restricted', why: 'the controller sets a restricted security context' }],
  },
  {
    name: PLATFORM_NAMESPACES.kyverno,
    warn: 'restricted',
    addons: [
      {
        addon: 'kyverno',
        level: 'restricted',
        why: 'the four controllers and the hook Jobs set a restricted security context',
      },
    ],
  },
  {
    name: PLATFORM_NAMESPACES.monitoring,
    warn: 'baseline',
    addons: [
      {
        addon: 'kube-prometheus-stack',
        level: 'privileged',
        why: 'node-exporter shares the host network and PID namespaces, mounts /proc, /sys and / of the node (hostPath) and so binds host port 9100; Prometheus, Alertmanager, Grafana and the operator alone would pass restricted',
      },
    ],
  },
  {
    name: PLATFORM_NAMESPACES.velero,
    warn: 'restricted',
    addons: [
      {
        addon: 'velero',
        level: 'restricted',
        why: 'the server and its plugin init container get a restricted security context from the platform; no node agent (no host path)',
      },
    ],
  },
  {
    name: PLATFORM_NAMESPACES.logging,
    warn: 'baseline',
    addons: [
      {
        addon: 'fluent-bit',
        level: 'privileged',
        why: "Fluent Bit reads every container's log and the journal of its node: it mounts /var/log (read-only), /etc/machine-id and its state directory /var/fluent-bit/state from the node (hostPath, which baseline forbids) and runs as root to read the root-only log files, with every capability dropped and a read-only root filesystem",
      },
    ],
  },
  {
    name: PLATFORM_NAMESPACES.tracing,
    warn: 'restricted',
    addons: [
      {
        addon: 'opentelemetry-collector',
        level: 'restricted',
        why: 'the collector runs as a non-root user with every capability dropped, no privilege escalation, a read-only root filesystem and the RuntimeDefault seccomp profile (set by the platform: the chart sets none)',
      },
    ],
  },
];

/** The Pod Security levels of an add-on namespace: enforce the least strict level any of its add-ons needs. */
export function addonNamespaceSecurity(namespace: AddonNamespace): PodSecurityLevels {
  return { enforce: leastStrict(namespace.addons.map((a) => a.level)), warn: namespace.warn };
}
