import {
  ADDON_SERVICE_ACCOUNTS,
  type Environment,
  imageTagOf,
  observabilityOf,
  type Service,
  serviceNamespace,
} from '@platform/model';
import type { k8s } from 'cdk8s-plus-28';
import { tcp } from '../network/peers';

/**
 * Fluent Bit, the node-level log collector: its Helm release (the Argo CD Application) and the labels its chart
 * gives the DaemonSet's pods (fluent/helm-charts charts/fluent-bit/templates/_helpers.tpl, `fluent-bit.selectorLabels`,
 * at tag fluent-bit-0.58.1).
 */
export const LOG_COLLECTOR = {
  release: 'fluent-bit',
  namespace: ADDON_SERVICE_ACCOUNTS.logCollector.namespace,
  serviceAccount: ADDON_SERVICE_ACCOUNTS.logCollector.name,
  podLabels: { 'app.kubernetes.io/name': 'fluent-bit', 'app.kubernetes.io/instance': 'fluent-bit' },
} as const;

/**
 * The port of Fluent Bit's HTTP server (`HTTP_Port` of its [SERVICE] section, the chart's `metricsPort`), which serves
 * /api/v2/metrics/prometheus: the chart's container port and Service port named `http`, which its ServiceMonitor
 * scrapes (fluent/helm-charts charts/fluent-bit/templates/{_pod.tpl,service.yaml,servicemonitor.yaml} at
 * fluent-bit-0.58.1).
 */
export const LOG_COLLECTOR_METRICS_PORT = 2020;

/**
 * The port of the trace collector's own metrics (its `service.telemetry.metrics` Prometheus reader): the chart's
 * `ports.metrics` (container and Service port 8888, named `metrics`), which its ServiceMonitor scrapes by that name
 * (open-telemetry/opentelemetry-helm-charts charts/opentelemetry-collector/values.yaml and templates/servicemonitor.yaml
 * at opentelemetry-collector-0.170.0).
 */
export const TRACE_COLLECTOR_METRICS_PORT = 8888;

/** The OTLP ports of the trace collector (OpenTelemetry Protocol specification, default ports). */
export const OTLP_PORTS = { grpc: 4317, http: 4318 } as const;

/**
 * The OpenTelemetry Collector that receives the services' traces: its Helm release, the Service the chart names
 * after the release (it contains the chart's name: `opentelemetry-collector.fullname`), and the labels of its
 * Deployment's pods (`selectorLabels` plus `component`, open-telemetry/opentelemetry-helm-charts
 * charts/opentelemetry-collector/templates/_helpers.tpl at tag opentelemetry-collector-0.170.0).
 */
export const TRACE_COLLECTOR = {
  release: 'opentelemetry-collector',
  namespace: ADDON_SERVICE_ACCOUNTS.traceCollector.namespace,
  serviceAccount: ADDON_SERVICE_ACCOUNTS.traceCollector.name,
  serviceName: 'opentelemetry-collector',
  podLabels: {
    'app.kubernetes.io/name': 'opentelemetry-collector',
    'app.kubernetes.io/instance': 'opentelemetry-collector',
    component: 'standalone-collector',
  },
} as const;

/** The OTLP ports of the trace collector, gRPC and HTTP, as NetworkPolicy ports. */
export function otlpPorts(): k8s.NetworkPolicyPort[] {
  return [tcp(OTLP_PORTS.grpc), tcp(OTLP_PORTS.http)];
}

/** Where services send traces: OTLP over HTTP to the collector's Service, by its in-cluster DNS name. */
export function traceCollectorEndpoint(): string {
  return `http://${TRACE_COLLECTOR.serviceName}.${TRACE_COLLECTOR.namespace}.svc.cluster.local:${OTLP_PORTS.http}`;
}

/**
 * The OpenTelemetry SDK settings of a service's container (OpenTelemetry specification, "Environment Variable
 * Specification"), read by every SDK and auto-instrumentation agent without code:
 * - `OTEL_EXPORTER_OTLP_ENDPOINT` and `OTEL_EXPORTER_OTLP_PROTOCOL` (`http/protobuf`): the collector's OTLP/HTTP port;
 * - `OTEL_SERVICE_NAME`: the service's name;
 * - `OTEL_RESOURCE_ATTRIBUTES`: `service.namespace` (its team), `service.version` (its image tag, without a digest),
 *   `deployment.environment.name` and `k8s.namespace.name`, each value percent-encoded as the specification asks;
 * - `OTEL_TRACES_SAMPLER` `parentbased_traceidratio` with `OTEL_TRACES_SAMPLER_ARG` the environment's
 *   `observability.traces.samplingRatio`: a new trace is kept with that probability, a call inside a kept trace always;
 * - `OTEL_METRICS_EXPORTER` and `OTEL_LOGS_EXPORTER` `none`: metrics are scraped from the metrics port and logs read
 *   from stdout by the log collector; the trace collector takes traces only.
 */
export function openTelemetryEnv(environment: Environment, service: Service): k8s.EnvVar[] {
  const attributes: [string, string][] = [
    ['service.namespace', service.team],
    ['service.version', imageTagOf(service.image.tag)],
    ['deployment.environment.name', environment.name],
    ['k8s.namespace.name', serviceNamespace(service)],
  ];
  return [
    { name: 'OTEL_SERVICE_NAME', value: service.name },
    { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: traceCollectorEndpoint() },
    { name: 'OTEL_EXPORTER_OTLP_PROTOCOL', value: 'http/protobuf' },
    {
      name: 'OTEL_RESOURCE_ATTRIBUTES',
      value: attributes.map(([key, value]) => `${key}=${encodeURIComponent(value)}`).join(','),
    },
    { name: 'OTEL_TRACES_SAMPLER', value: 'parentbased_traceidratio' },
    { name: 'OTEL_TRACES_SAMPLER_ARG', value: String(observabilityOf(environment).traceSamplingRatio) },
    { name: 'OTEL_METRICS_EXPORTER', value: 'none' },
    { name: 'OTEL_LOGS_EXPORTER', value: 'none' },
  ];
}
