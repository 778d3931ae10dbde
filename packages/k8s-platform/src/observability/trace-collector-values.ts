import type { Environment, EnvironmentNaming } from '@platform/model';
import { OTLP_PORTS, TRACE_COLLECTOR, TRACE_COLLECTOR_METRICS_PORT } from './telemetry-collectors';

/**
 * The collector image: the contrib distribution, the one that has the `awsxray` exporter, at the version chart
 * 0.170.0 ships (its Chart.yaml `appVersion`). The chart names no image of its own (`image.repository` is empty).
 */
export const TRACE_COLLECTOR_IMAGE = {
  repository: 'ghcr.io/open-telemetry/opentelemetry-collector-releases/opentelemetry-collector-contrib',
  tag: '0.158.0',
  /** The binary of the contrib image. */
  command: 'otelcol-contrib',
} as const;

/** The restricted security context the collector runs with (the contrib image's user is 10001). */
export const TRACE_COLLECTOR_SECURITY_CONTEXT = {
  runAsNonRoot: true,
  runAsUser: 10001,
  runAsGroup: 10001,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
} as const;

export const TRACE_COLLECTOR_RESOURCES = {
  requests: { cpu: '100m', memory: '256Mi' },
  limits: { memory: '512Mi' },
} as const;

/** Replicas of the trace collector; its PodDisruptionBudget lets one of them be evicted at a time. */
export const TRACE_COLLECTOR_REPLICAS = 2;

/** Receivers the chart enables by default besides OTLP; their ports stay closed. */
const UNUSED_PORTS = ['jaeger-compact', 'jaeger-thrift', 'jaeger-grpc', 'zipkin'] as const;

/**
 * Values of the opentelemetry-collector chart (open-telemetry/opentelemetry-helm-charts, tag
 * opentelemetry-collector-0.170.0): two replicas behind the Service `opentelemetry-collector`, receiving OTLP on
 * 4317 (gRPC) and 4318 (HTTP) and sending the traces to AWS X-Ray through the `awsxray` exporter (PutTraceSegments,
 * credentials from EKS Pod Identity). `alternateConfig` replaces the chart's default configuration whole, so no
 * Jaeger, Zipkin or Prometheus receiver and no debug exporter run. `local_mode` keeps the exporter from asking the
 * instance metadata service, which pods cannot reach (hop limit 1); `aws_log_groups` links each trace to the
 * container log group.
 *
 * Its own metrics (the trace collector's alerts): a Prometheus reader on TRACE_COLLECTOR_METRICS_PORT at the pod's
 * address (its default reader listens on localhost:8888 only: open-telemetry/opentelemetry-collector
 * service/telemetry/otelconftelemetry/factory.go at v0.158.0), the chart's `metrics` port and its ServiceMonitor
 * (rendered only with that port enabled). A PodDisruptionBudget (templates/pdb.yaml) lets a node drain evict one of
 * the two replicas at a time, so one always receives.
 */
export function traceCollectorValues(environment: Environment, naming: EnvironmentNaming): Record<string, unknown> {
  // The collector expands ${env:…} in its configuration; the chart sets MY_POD_IP to the pod's address.
  const podIp = '$' + '{env:MY_POD_IP}';
  const listen = (port: number) => `${podIp}:${port}`;
  return {
    mode: 'deployment',
    replicaCount: TRACE_COLLECTOR_REPLICAS,
    image: { repository: TRACE_COLLECTOR_IMAGE.repository, tag: TRACE_COLLECTOR_IMAGE.tag },
    command: { name: TRACE_COLLECTOR_IMAGE.command },
    serviceAccount: { create: true, name: TRACE_COLLECTOR.serviceAccount },
    securityContext: TRACE_COLLECTOR_SECURITY_CONTEXT,
    resources: TRACE_COLLECTOR_RESOURCES,
    ports: {
      ...Object.fromEntries(UNUSED_PORTS.map((port) => [port, { enabled: false }])),
      // The chart's defaults (containerPort and servicePort 8888) stay; the ServiceMonitor scrapes the port by name.
      metrics: { enabled: true },
    },
    serviceMonitor: { enabled: true },
    podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
    alternateConfig: {
      extensions: { health_check: { endpoint: listen(13133) } },
      receivers: {
        otlp: {
          protocols: { grpc: { endpoint: listen(OTLP_PORTS.grpc) }, http: { endpoint: listen(OTLP_PORTS.http) } },
        },
      },
      processors: {
        memory_limiter: { check_interval: '5s', limit_percentage: 80, spike_limit_percentage: 25 },
        batch: {},
      },
      exporters: {
        awsxray: { region: environment.region, local_mode: true, aws_log_groups: [naming.containerLogGroupName] },
      },
      service: {
        telemetry: {
          metrics: {
            readers: [
              {
                pull: {
                  exporter: {
                    prometheus: { host: podIp, port: TRACE_COLLECTOR_METRICS_PORT },
                  },
                },
              },
            ],
          },
        },
        extensions: ['health_check'],
        pipelines: { traces: { receivers: ['otlp'], processors: ['memory_limiter', 'batch'], exporters: ['awsxray'] } },
      },
    },
  };
}
