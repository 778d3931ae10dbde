import { EKS_DEFAULT_SERVICE_IPV4_CIDRS, type Environment, subnetCidrs } from '@platform/model';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { NamespaceBaselinePolicies } from '../network/namespace-baseline-policies';
import { ipBlocks, POD_IDENTITY_AGENT, podsInNamespace, tcp } from '../network/peers';
import { awsApiPeers, HTTPS } from '../network/service-network-policies';
import { LOG_COLLECTOR, otlpPorts, TRACE_COLLECTOR } from './telemetry-collectors';

export interface LogCollectorNetworkPoliciesProps {
  readonly environment: Environment;
  readonly labels: Record<string, string>;
}

/**
 * The edges of the log collector, on top of a default deny (and DNS) in its namespace: Fluent Bit reaches the Pod
 * Identity agent, the AWS APIs (CloudWatch Logs) and the Kubernetes API server (pod metadata); nothing reaches it.
 */
export class LogCollectorNetworkPolicies extends Construct {
  public constructor(scope: Construct, id: string, props: LogCollectorNetworkPoliciesProps) {
    super(scope, id);
    const { environment, labels } = props;
    new NamespaceBaselinePolicies(this, 'Baseline', { namespace: LOG_COLLECTOR.namespace, labels });
    new k8s.KubeNetworkPolicy(this, 'Egress', {
      metadata: { name: `${LOG_COLLECTOR.release}-egress`, namespace: LOG_COLLECTOR.namespace, labels },
      spec: {
        podSelector: { matchLabels: { ...LOG_COLLECTOR.podLabels } },
        policyTypes: ['Egress'],
        egress: [
          podIdentityEgress(),
          // One rule for both: where the AWS APIs are the interface endpoints, they share the private subnets.
          { to: uniquePeers([...awsApiPeers(environment), ...apiServerPeers(environment)]), ports: [tcp(HTTPS)] },
        ],
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
 * accepts OTLP (4317, 4318) from pods of the service namespaces only, and reaches the Pod Identity agent and the AWS
 * APIs (X-Ray). The services' side of the OTLP edge is in their own egress policy (ServiceNetworkPolicies).
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
        // A rule with no peer would admit every source: without service namespaces there is no rule at all.
        ingress:
          namespaces.length === 0
            ? []
            : [{ from: namespaces.map((namespace) => podsInNamespace(namespace, {})), ports: otlpPorts() }],
      },
    });
    new k8s.KubeNetworkPolicy(this, 'Egress', {
      metadata: { name: `${TRACE_COLLECTOR.release}-egress`, namespace: TRACE_COLLECTOR.namespace, labels },
      spec: {
        podSelector,
        policyTypes: ['Egress'],
        egress: [podIdentityEgress(), { to: awsApiPeers(environment), ports: [tcp(HTTPS)] }],
      },
    });
  }
}

/** A collector's AWS credentials: from the Pod Identity agent on its node. */
function podIdentityEgress(): k8s.NetworkPolicyEgressRule {
  return { to: ipBlocks([POD_IDENTITY_AGENT.cidr]), ports: [tcp(POD_IDENTITY_AGENT.port)] };
}

/** The peers without repeats, first occurrence first. */
function uniquePeers(peers: readonly k8s.NetworkPolicyPeer[]): k8s.NetworkPolicyPeer[] {
  return [...new Map(peers.map((peer) => [JSON.stringify(peer), peer] as const)).values()];
}

/**
 * Where the Kubernetes API server answers pods. A pod dials `kubernetes.default.svc`, a Service address, and the VPC
 * CNI's network policy agent judges egress before that address is translated to an endpoint (amazon-network-policy-
 * controller-k8s, pkg/resolvers/endpoints.go): so the Service block EKS picked (either default, the clusters name
 * none) is allowed, as are the control plane's network interfaces in the private subnets (platform-cluster.ts) for a
 * client given the endpoint addresses themselves.
 */
export function apiServerPeers(environment: Environment): k8s.NetworkPolicyPeer[] {
  return ipBlocks([...EKS_DEFAULT_SERVICE_IPV4_CIDRS, ...subnetCidrs(environment, 'private')]);
}
