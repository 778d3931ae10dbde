import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { NamespaceBaselinePolicies } from './namespace-baseline-policies';
import { ipBlocks, POD_IDENTITY_AGENT, tcp } from './peers';

export interface ExternalDnsNetworkPoliciesProps {
  /** The namespace external-dns runs in. */
  readonly namespace: string;
  readonly labels: Record<string, string>;
}

/**
 * The network of external-dns's namespace: nothing may reach its pods (nothing scrapes or calls them), and they reach
 * DNS (kube-dns), the Pod Identity agent for their credentials, and HTTPS (443) anywhere: the Kubernetes API server
 * (its endpoint addresses, in the private subnets or public, are the control plane's and not in the model) and the
 * Route 53 API, whose endpoint is global and public (route53.amazonaws.com) and has no interface endpoint in the VPC.
 * No STS: Pod Identity hands out the role's credentials through the agent.
 */
export class ExternalDnsNetworkPolicies extends Construct {
  public constructor(scope: Construct, id: string, props: ExternalDnsNetworkPoliciesProps) {
    super(scope, id);
    const { namespace, labels } = props;
    new NamespaceBaselinePolicies(this, 'Baseline', { namespace, labels });
    new k8s.KubeNetworkPolicy(this, 'Egress', {
      metadata: { name: 'allow-external-dns-egress', namespace, labels },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          { to: ipBlocks([POD_IDENTITY_AGENT.cidr]), ports: [tcp(POD_IDENTITY_AGENT.port)] },
          { to: ipBlocks(['0.0.0.0/0']), ports: [tcp(443)] },
        ],
      },
    });
  }
}
