import type { Environment } from '@platform/model';
import { Construct } from 'constructs';
import { AddonNetworkPolicies } from '../network/addon-network-policies';
import { apiServerPeers, awsApiPeers, awsEgress, httpsEgress, podIdentityEgress } from '../network/aws-egress';
import { podsInNamespace } from '../network/peers';
import {
  LOG_COLLECTOR,
  LOG_COLLECTOR_METRICS_PORT,
  otlpPorts,
  TRACE_COLLECTOR,
  TRACE_COLLECTOR_METRICS_PORT,
} from './telemetry-collectors';

export interface LogCollectorNetworkPoliciesProps {
  readonly environment: Environment;
  readonly labels: Record<string, string>;
}

/**
 * The edges of the log collector, on top of a default deny (and DNS) in its namespace: Fluent Bit reaches the Pod
 * Identity agent, the AWS APIs (CloudWatch Logs) and the Kubernetes API server (pod metadata); only Prometheus reaches
 * it, on its HTTP server's port (LOG_COLLECTOR_METRICS_PORT), which its ServiceMonitor scrapes.
 */
export class LogCollectorNetworkPolicies extends Construct {
  public constructor(scope: Construct, id: string, props: LogCollectorNetworkPoliciesProps) {
    super(scope, id);
    const { environment } = props;
    new AddonNetworkPolicies(this, 'Policies', {
      namespace: LOG_COLLECTOR.namespace,
      name: LOG_COLLECTOR.release,
      podLabels: LOG_COLLECTOR.podLabels,
      metricsPort: LOG_COLLECTOR_METRICS_PORT,
      egress: [podIdentityEgress(), httpsEgress([...awsApiPeers(environment), ...apiServerPeers(environment)])],
      labels: props.labels,
    });
  }
}

export interface TraceCollectorNetworkPoliciesProps {
  readonly environment: Environment;
  /** The namespaces of the services, whose pods send traces; the only sources the trace collector admits. */
  readonly serviceNamespaces: readonly string[];
  readonly labels: Record<string, string>;
}

/**
 * The edges of the trace collector, on top of a default deny (and DNS) in its namespace: the OpenTelemetry Collector
 * accepts OTLP (4317, 4318) from pods of the service namespaces only and its own metrics' port
 * (TRACE_COLLECTOR_METRICS_PORT) from Prometheus only, and reaches the Pod Identity agent and the AWS APIs (X-Ray). The
 * services' side of the OTLP edge is in their own egress policy (ServiceNetworkPolicies).
 */
export class TraceCollectorNetworkPolicies extends Construct {
  public constructor(scope: Construct, id: string, props: TraceCollectorNetworkPoliciesProps) {
    super(scope, id);
    const namespaces = [...new Set(props.serviceNamespaces)].sort();
    new AddonNetworkPolicies(this, 'Policies', {
      namespace: TRACE_COLLECTOR.namespace,
      name: TRACE_COLLECTOR.release,
      podLabels: TRACE_COLLECTOR.podLabels,
      metricsPort: TRACE_COLLECTOR_METRICS_PORT,
      // A rule with no peer would admit every source: without service namespaces there is no OTLP rule at all.
      ingress:
        namespaces.length === 0
          ? []
          : [{ from: namespaces.map((namespace) => podsInNamespace(namespace, {})), ports: otlpPorts() }],
      egress: awsEgress(props.environment),
      labels: props.labels,
    });
  }
}
