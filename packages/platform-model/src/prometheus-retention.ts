/**
 * Days of history the environments' Prometheus keeps (kube-prometheus-stack's `prometheus.prometheusSpec.retention`,
 * written from this value). A service's SLO window must fit in it, or its window ratio reads a partial history.
 */
export const PROMETHEUS_RETENTION_DAYS = 31;
