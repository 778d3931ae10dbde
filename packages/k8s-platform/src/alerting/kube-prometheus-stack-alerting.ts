import type { Environment } from '@platform/model';
import { alertmanagerValues } from './alertmanager-values';
import { eksControlPlaneValues } from './eks-control-plane-values';

/**
 * The alerting part of the kube-prometheus-stack chart's values (88.0.0) of one environment: Alertmanager's routes
 * and receivers, and no scrape target or rule for what EKS does not expose. Top-level keys: `alertmanager`,
 * `defaultRules`, `kubeScheduler`, `kubeControllerManager`, `kubeEtcd`, `kubeProxy`.
 */
export function kubePrometheusStackAlertingValues(environment: Environment): Record<string, unknown> {
  return { alertmanager: alertmanagerValues(environment), ...eksControlPlaneValues() };
}
