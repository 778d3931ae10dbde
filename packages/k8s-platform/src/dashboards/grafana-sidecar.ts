import { PLATFORM_NAMESPACES } from '@platform/model';

/**
 * How Grafana of kube-prometheus-stack 88.0.0 (its subchart grafana 12.10.0) finds dashboards: its sidecar
 * (`grafana-sc-dashboard`) loads the JSON of every ConfigMap that carries `label: labelValue` in the
 * namespaces it searches. The chart's defaults (kube-prometheus-stack values.yaml, `grafana.sidecar.dashboards`)
 * are `grafana_dashboard: "1"` in every namespace; the platform narrows the search to the monitoring namespace,
 * where only the platform writes, so no team's ConfigMap becomes a dashboard in the shared Grafana. The
 * chart's own dashboards are in that namespace too.
 */
export const GRAFANA_DASHBOARD_SIDECAR = {
  label: 'grafana_dashboard',
  labelValue: '1',
  namespace: PLATFORM_NAMESPACES.monitoring,
} as const;

/**
 * uid of the Prometheus data source kube-prometheus-stack provisions for Grafana
 * (`grafana.sidecar.datasources.uid`, default `prometheus`): every panel queries it by this uid.
 */
export const GRAFANA_PROMETHEUS_DATASOURCE_UID = 'prometheus';

/**
 * The `grafana` values of kube-prometheus-stack 88.0.0: the dashboard sidecar as above, and the data source uid
 * the dashboards name. The grafana subchart (12.10.0) reads `sidecar.dashboards.*`; the parent chart reads
 * `sidecar.datasources.uid` (templates/grafana/configmaps-datasources.yaml).
 */
export function grafanaDashboardValues(): Record<string, unknown> {
  return {
    sidecar: {
      dashboards: {
        enabled: true,
        label: GRAFANA_DASHBOARD_SIDECAR.label,
        labelValue: GRAFANA_DASHBOARD_SIDECAR.labelValue,
        // A list: the subchart joins it with commas into the sidecar's NAMESPACE (templates/_pod.tpl).
        searchNamespace: [GRAFANA_DASHBOARD_SIDECAR.namespace],
      },
      datasources: { uid: GRAFANA_PROMETHEUS_DATASOURCE_UID },
    },
  };
}
