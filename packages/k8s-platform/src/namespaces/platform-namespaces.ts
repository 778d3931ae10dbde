import { PLATFORM_NAMESPACES } from '@platform/model';
import type { PodSecurityLevels } from './pod-security';

/**
 * The add-on namespaces the platform ships, with the Pod Security levels their charts run under.
 * kube-system and argocd are left out: EKS and the cloud stack create them.
 */
export const ADDON_NAMESPACE_SECURITY: Readonly<Record<string, PodSecurityLevels>> = {
  // The controllers' charts set restricted-compatible security contexts; baseline leaves room for chart changes.
  [PLATFORM_NAMESPACES.externalSecrets]: { enforce: 'baseline', warn: 'restricted' },
  [PLATFORM_NAMESPACES.karpenter]: { enforce: 'baseline', warn: 'restricted' },
  [PLATFORM_NAMESPACES.kyverno]: { enforce: 'baseline', warn: 'restricted' },
  // The node exporter of kube-prometheus-stack needs the host's network, PID namespace and filesystem.
  [PLATFORM_NAMESPACES.monitoring]: { enforce: 'privileged', warn: 'baseline' },
};
