import { DATA_STORE_PORTS, type Environment, type Service, serviceNamespace, subnetCidrs } from '@platform/model';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { serviceSelector } from '../labels';
import { otlpPorts, TRACE_COLLECTOR } from '../observability/telemetry-collectors';
import { awsEgress } from './aws-egress';
import { ipBlocks, podsInNamespace, prometheusScrapeRule, tcp } from './peers';

export interface ServiceNetworkPoliciesProps {
  readonly environment: Environment;
  readonly service: Service;
  /** Services that call this one; each may reach its HTTP port. */
  readonly callers: readonly Service[];
  /** Services this one calls; it may reach each one's HTTP port. */
  readonly callees: readonly Service[];
  readonly labels: Record<string, string>;
}

/**
 * The edges of one service on top of its namespace's default deny: who may reach it, and what it may
 * reach. Nothing else is open; NetworkPolicies only ever add allowed traffic.
 */
export class ServiceNetworkPolicies extends Construct {
  public constructor(scope: Construct, id: string, props: ServiceNetworkPoliciesProps) {
    super(scope, id);
    const { service, labels } = props;
    const namespace = serviceNamespace(service);
    const podSelector = { matchLabels: serviceSelector(service) };
    new k8s.KubeNetworkPolicy(this, 'Ingress', {
      metadata: { name: `${service.name}-ingress`, namespace, labels },
      spec: { podSelector, policyTypes: ['Ingress'], ingress: ingressRules(props) },
    });
    const egress = egressRules(props);
    if (egress.length > 0) {
      new k8s.KubeNetworkPolicy(this, 'Egress', {
        metadata: { name: `${service.name}-egress`, namespace, labels },
        spec: { podSelector, policyTypes: ['Egress'], egress },
      });
    }
  }
}

function ingressRules({ environment, service, callers }: ServiceNetworkPoliciesProps): k8s.NetworkPolicyIngressRule[] {
  const rules: k8s.NetworkPolicyIngressRule[] = [prometheusScrapeRule(service.metricsPort)];
  if (callers.length > 0) {
    rules.push({
      from: callers.map((caller) => podsInNamespace(serviceNamespace(caller), serviceSelector(caller))),
      ports: [tcp(service.port)],
    });
  }
  if (service.exposure === 'edge') {
    // The ALB sends traffic (target type ip) from its nodes in the public subnets straight to the pods.
    rules.push({ from: ipBlocks(subnetCidrs(environment, 'public')), ports: [tcp(service.port)] });
  }
  return rules;
}

function egressRules({ environment, service, callees }: ServiceNetworkPoliciesProps): k8s.NetworkPolicyEgressRule[] {
  const rules: k8s.NetworkPolicyEgressRule[] = callees.map((callee) => ({
    to: [podsInNamespace(serviceNamespace(callee), serviceSelector(callee))],
    ports: [tcp(callee.port)],
  }));
  // Every service sends its traces to the trace collector's pods, on the OTLP ports only.
  rules.push({
    to: [podsInNamespace(TRACE_COLLECTOR.namespace, { ...TRACE_COLLECTOR.podLabels })],
    ports: otlpPorts(),
  });
  const isolated = subnetCidrs(environment, 'isolated');
  if (service.dependencies.database) rules.push({ to: ipBlocks(isolated), ports: [tcp(DATA_STORE_PORTS.postgres)] });
  if (service.dependencies.cache) rules.push({ to: ipBlocks(isolated), ports: [tcp(DATA_STORE_PORTS.redis)] });
  if (usesAwsApis(service)) {
    rules.push(...awsEgress(environment));
  }
  return rules;
}

/** A service calls AWS APIs itself when it sends to or receives from a queue. */
export function usesAwsApis(service: Service): boolean {
  return service.dependencies.publishes.length + service.dependencies.consumes.length > 0;
}
