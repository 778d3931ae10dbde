/**
 * kube-prometheus-stack values that leave out what EKS does not let Prometheus scrape. Facts from the chart
 * kube-prometheus-stack 88.0.0 (values.yaml; templates/exporters/<component>/*.yaml; templates/prometheus/rules-1.14/):
 *
 * | values key              | EKS                                                            | `defaultRules.rules` toggles                  | alerts that would fire for ever                     |
 * | ----------------------- | -------------------------------------------------------------- | --------------------------------------------- | --------------------------------------------------- |
 * | `kubeScheduler`         | runs in the managed control plane: no pod to scrape            | `kubeSchedulerAlerting`, `kubeSchedulerRecording` | KubeSchedulerDown (critical, `absent(up{…})`)     |
 * | `kubeControllerManager` | runs in the managed control plane: no pod to scrape            | `kubeControllerManager`                       | KubeControllerManagerDown (critical)                |
 * | `kubeEtcd`              | runs in the managed control plane: no endpoint to scrape       | `etcd`                                        | TargetDown for its Service (warning)                |
 * | `kubeProxy`             | the kube-proxy add-on serves metrics on 127.0.0.1:10249 only   | `kubeProxy`                                   | KubeProxyDown (critical), TargetDown (warning)      |
 *
 * `<component>.enabled: false` drops the component's Service, Endpoints and ServiceMonitor (so no target is down)
 * and its rule files (their condition includes it); the rule toggles turn the same rule files off on their own, so
 * either lever alone keeps the alerts away.
 */
export const EKS_UNSCRAPED_COMPONENTS = ['kubeScheduler', 'kubeControllerManager', 'kubeEtcd', 'kubeProxy'] as const;

/** `defaultRules.rules` toggles of the rule files that read only the components above (chart 88.0.0). */
export const EKS_UNSCRAPED_RULE_TOGGLES = [
  'kubeSchedulerAlerting',
  'kubeSchedulerRecording',
  'kubeControllerManager',
  'etcd',
  'kubeProxy',
] as const;

/** The chart values (top-level keys `defaultRules` and the components') that turn them off. */
export function eksControlPlaneValues(): Record<string, unknown> {
  return {
    defaultRules: { rules: Object.fromEntries(EKS_UNSCRAPED_RULE_TOGGLES.map((toggle) => [toggle, false])) },
    ...Object.fromEntries(EKS_UNSCRAPED_COMPONENTS.map((component) => [component, { enabled: false }])),
  };
}
