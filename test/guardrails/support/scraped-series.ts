/**
 * Series a dashboard may read besides the recording rules of dist/: what the exporters the platform scrapes write,
 * what Prometheus writes itself, and what the service contract promises. Facts read upstream at the pinned versions
 * and spelled out here, not taken from the code that writes the dashboards.
 */

export interface SeriesSource {
  readonly source: string;
  readonly names: readonly string[];
}

export const SCRAPED_SERIES: readonly SeriesSource[] = [
  {
    // kube-prometheus-stack 88.0.0 installs kube-state-metrics 8.0.0 (image v2.19.1) with its default collectors
    // (deployments, horizontalpodautoscalers, nodes, pods among them) and scrapes it (kubeStateMetrics.enabled).
    source:
      'kube-state-metrics v2.19.1 (k8s.io/kube-state-metrics/v2), docs/metrics/workload/{pod,deployment,horizontalpodautoscaler}-metrics.md, docs/metrics/cluster/node-metrics.md',
    names: [
      'kube_pod_container_resource_requests',
      'kube_pod_container_resource_limits',
      'kube_pod_status_phase',
      'kube_node_status_allocatable',
      'kube_node_info',
      'kube_deployment_status_replicas_available',
      'kube_horizontalpodautoscaler_status_current_replicas',
      'kube_horizontalpodautoscaler_status_desired_replicas',
      'kube_horizontalpodautoscaler_spec_min_replicas',
      'kube_horizontalpodautoscaler_spec_max_replicas',
    ],
  },
  {
    // The chart's kubelet ServiceMonitor scrapes /metrics/cadvisor (kubelet.enabled); its
    // kubelet.serviceMonitor.cAdvisorMetricRelabelings drop neither of these.
    source: 'cAdvisor of the kubelet (/metrics/cadvisor), as kube-prometheus-stack 88.0.0 keeps it',
    names: ['container_cpu_usage_seconds_total', 'container_memory_working_set_bytes'],
  },
  {
    source: 'Prometheus itself: ALERTS, one series per pending or firing alert (docs, "Alerting rules")',
    names: ['ALERTS'],
  },
];

/**
 * What every service exposes (docs/observability.md, "Dashboards"; packages/k8s-platform/src/alerting/service-metrics.ts):
 * a request counter and a duration histogram, the series the platform alerts and the SLO rules read.
 */
export const SERVICE_CONTRACT_SERIES: readonly string[] = [
  'http_requests_total',
  'http_request_duration_seconds_bucket',
  'http_request_duration_seconds_count',
  'http_request_duration_seconds_sum',
];

/** The recording rules an SLO of each kind writes, by the kind's objective field of the model. */
export const SLO_RECORDS = {
  availability: 'service:http_requests_errors',
  latency: 'service:http_requests_slower_than_slo',
} as const;
