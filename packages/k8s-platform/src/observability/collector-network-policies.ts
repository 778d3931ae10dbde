import type { Environment } from '@platform/model';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { apiServerPeers, awsEgress, httpsEgress, podIdentityEgress } from '../network/addon-egress';
import { NamespaceBaselinePolicies } from '../network/namespace-baseline-policies';
import { podsInNamespace, prometheusScrapeRule } from '../network/peers';
import { awsApiPeers } from '../network/service-network-policies';
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
    const { environment, labels } = props;
    new NamespaceBaselinePolicies(this, 'Baseline', { namespace: LOG_COLLECTOR.namespace, labels });
    const podSelector = { matchLabels: { ...LOG_COLLECTOR.podLabels } };
    new k8s.KubeNetworkPolicy(this, 'Ingress', {
      metadata: { name: `${LOG_COLLECTOR.release}-ingress`, namespace: LOG_COLLECTOR.namespace, labels },
      spec: { podSelector, policyTypes: ['Ingress'], ingress: [prometheusScrapeRule(LOG_COLLECTOR_METRICS_PORT)] },
    });
    new k8s.KubeNetworkPolicy(this, 'Egress', {
      metadata: { name: `${LOG_COLLECTOR.release}-egress`, namespace: LOG_COLLECTOR.namespace, labels },
      spec: {
        podSelector,
        policyTypes: ['Egress'],
        egress: [podIdentityEgress(), httpsEgress([...awsApiPeers(environment), ...apiServerPeers(environment)])],
      },
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
    const { environment, labels } = props;
    const namespaces = [...new Set(props.serviceNamespaces)].sort();
    new NamespaceBaselinePolicies(this, 'Baseline', { namespace: TRACE_COLLECTOR.namespace, labels });
    const podSelector = { matchLabels: { ...TRACE_COLLECTOR.podLabels } };
    new k8s.KubeNetworkPolicy(this, 'Ingress', {
      metadata: { name: `${TRACE_COLLECTOR.release}-ingress`, namespace: TRACE_COLLECTOR.namespace, labels },
      spec: {
        podSelector,
        policyTypes: ['Ingress'],
        // A rule with no peer would admit every source: without service namespaces there is no OTLP rule at all.
        ingress: [
          ...(namespaces.length === 0
            ? []
            : [{ from: namespaces.map((namespace) => podsInNamespace(namespace, {})), ports: otlpPorts() }]),
          prometheusScrapeRule(TRACE_COLLECTOR_METRICS_PORT),
        ],
      },
    });
    new k8s.KubeNetworkPolicy(this, 'Egress', {
      metadata: { name: `${TRACE_COLLECTOR.release}-egress`, namespace: TRACE_COLLECTOR.namespace, labels },
      spec: { podSelector, policyTypes: ['Egress'], egress: awsEgress(environment) },
    });
  }
}
