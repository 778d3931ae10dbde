/**
 * The series of kube-state-metrics and of the kubelet's cAdvisor that the dashboards read: both are scraped by
 * the kube-prometheus-stack 88.0.0 the platform installs (`kubeStateMetrics.enabled`, `kubelet.enabled`, the
 * chart's defaults). Sources: kube-state-metrics v2.19.1 (the subchart kube-state-metrics 8.0.0's image),
 * docs/metrics/workload/{pod,deployment,horizontalpodautoscaler}-metrics.md and docs/metrics/cluster/node-metrics.md,
 * with the collectors the chart enables by default; cAdvisor's container metrics at the kubelet's
 * `/metrics/cadvisor`, minus those the chart's `kubelet.serviceMonitor.cAdvisorMetricRelabelings` drop.
 */
export const WORKLOAD_METRICS = {
  /** cAdvisor: CPU seconds a container used, a counter; labels namespace, pod, container. */
  cpuUsage: 'container_cpu_usage_seconds_total',
  /** cAdvisor: a container's working set in bytes, what the kubelet compares with the memory limit. */
  memoryWorkingSet: 'container_memory_working_set_bytes',
  /** kube-state-metrics: a container's requests, per `resource` (`cpu` in cores, `memory` in bytes). */
  resourceRequests: 'kube_pod_container_resource_requests',
  /** kube-state-metrics: a container's limits, per `resource`. */
  resourceLimits: 'kube_pod_container_resource_limits',
  /** kube-state-metrics: 1 for a pod's current phase (`phase`). */
  podPhase: 'kube_pod_status_phase',
  /** kube-state-metrics: what a node offers pods, per `resource` (`cpu`, `memory`, `pods`). */
  nodeAllocatable: 'kube_node_status_allocatable',
  /** kube-state-metrics: one series per node. */
  nodeInfo: 'kube_node_info',
  /** kube-state-metrics: available replicas of a Deployment (`deployment`). */
  deploymentAvailable: 'kube_deployment_status_replicas_available',
  /** kube-state-metrics: replica counts of a HorizontalPodAutoscaler (`horizontalpodautoscaler`). */
  hpaCurrent: 'kube_horizontalpodautoscaler_status_current_replicas',
  hpaDesired: 'kube_horizontalpodautoscaler_status_desired_replicas',
  hpaMin: 'kube_horizontalpodautoscaler_spec_min_replicas',
  hpaMax: 'kube_horizontalpodautoscaler_spec_max_replicas',
} as const;

/**
 * Series Prometheus writes itself: `ALERTS{alertname, alertstate, <the rule's labels>}`, 1 for each pending or
 * firing alert of its alerting rules (Prometheus docs, "Alerting rules", Inspecting alerts during runtime).
 */
export const PROMETHEUS_ALERTS_SERIES = 'ALERTS';

/** The phases in which a pod holds the resources it requests on its node. */
export const SCHEDULED_POD_PHASES = 'Pending|Running';
