import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { NamespaceBaselinePolicies } from './namespace-baseline-policies';
import { prometheusScrapeRule } from './peers';

export interface AddonNetworkPoliciesProps {
  /** The add-on's namespace, which holds nothing else. */
  readonly namespace: string;
  /** Names the two policies besides the baseline: `<name>-ingress` and `<name>-egress`. */
  readonly name: string;
  /** Labels of the add-on's pods, which Prometheus scrapes. */
  readonly podLabels: Readonly<Record<string, string>>;
  /** Port of the add-on's metrics, which its ServiceMonitor scrapes: the only port Prometheus reaches. */
  readonly metricsPort: number;
  /**
   * Sources the add-on's pods admit besides Prometheus.
   * @default none
   */
  readonly ingress?: readonly k8s.NetworkPolicyIngressRule[];
  /** Destinations the pods reach besides DNS (the baseline's). */
  readonly egress: readonly k8s.NetworkPolicyEgressRule[];
  /**
   * Which pods `egress` holds for: the add-on's (`podLabels`), or every pod of the namespace, when the chart also
   * runs pods of other labels (hook Jobs) that need the same destinations.
   * @default 'addon-pods'
   */
  readonly egressOf?: 'addon-pods' | 'namespace';
  readonly labels: Record<string, string>;
}

/**
 * The network of an add-on's namespace: the baseline (deny all, DNS to kube-dns), then only Prometheus (on the
 * metrics port) and the given sources reach the add-on's pods, and they reach only the given destinations.
 */
export class AddonNetworkPolicies extends Construct {
  public constructor(scope: Construct, id: string, props: AddonNetworkPoliciesProps) {
    super(scope, id);
    const { namespace, name, labels } = props;
    const podSelector = { matchLabels: { ...props.podLabels } };
    new NamespaceBaselinePolicies(this, 'Baseline', { namespace, labels });
    new k8s.KubeNetworkPolicy(this, 'Ingress', {
      metadata: { name: `${name}-ingress`, namespace, labels },
      spec: {
        podSelector,
        policyTypes: ['Ingress'],
        ingress: [...(props.ingress ?? []), prometheusScrapeRule(props.metricsPort)],
      },
    });
    new k8s.KubeNetworkPolicy(this, 'Egress', {
      metadata: { name: `${name}-egress`, namespace, labels },
      spec: {
        podSelector: props.egressOf === 'namespace' ? {} : podSelector,
        policyTypes: ['Egress'],
        egress: [...props.egress],
      },
    });
  }
}
