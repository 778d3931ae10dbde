import { Construct } from 'constructs';
import { EXTERNAL_DNS_METRICS_PORT, EXTERNAL_DNS_POD_LABELS } from '../edge/external-dns';
import { AddonNetworkPolicies } from './addon-network-policies';
import { httpsEgress, podIdentityEgress } from './aws-egress';
import { ipBlocks } from './peers';

export interface ExternalDnsNetworkPoliciesProps {
  /** The namespace external-dns runs in. */
  readonly namespace: string;
  readonly labels: Record<string, string>;
}

/**
 * The network of external-dns's namespace: only Prometheus may reach its pods, on their metrics port
 * (EXTERNAL_DNS_METRICS_PORT, scraped by the chart's ServiceMonitor; nothing calls them), and they reach
 * DNS (kube-dns), the Pod Identity agent for their credentials, and HTTPS (443) anywhere: the Kubernetes API server
 * (its endpoint addresses, in the private subnets or public, are the control plane's and not in the model) and the
 * Route 53 API, whose endpoint is global and public (route53.amazonaws.com) and has no interface endpoint in the VPC.
 * No STS: Pod Identity hands out the role's credentials through the agent.
 */
export class ExternalDnsNetworkPolicies extends Construct {
  public constructor(scope: Construct, id: string, props: ExternalDnsNetworkPoliciesProps) {
    super(scope, id);
    new AddonNetworkPolicies(this, 'Policies', {
      namespace: props.namespace,
      name: 'external-dns',
      podLabels: EXTERNAL_DNS_POD_LABELS,
      metricsPort: EXTERNAL_DNS_METRICS_PORT,
      egress: [podIdentityEgress(), httpsEgress(ipBlocks(['0.0.0.0/0']))],
      egressOf: 'namespace',
      labels: props.labels,
    });
  }
}
