import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { KUBE_DNS, podsInNamespace } from './peers';

export interface NamespaceBaselinePoliciesProps {
  readonly namespace: string;
  readonly labels: Record<string, string>;
}

/**
 * Deny all ingress and egress of every pod in the namespace, except DNS lookups to kube-dns.
 * Each service then opens exactly its own edges (see ServiceNetworkPolicies).
 */
export class NamespaceBaselinePolicies extends Construct {
  public constructor(scope: Construct, id: string, props: NamespaceBaselinePoliciesProps) {
    super(scope, id);
    const { namespace, labels } = props;
    new k8s.KubeNetworkPolicy(this, 'DefaultDeny', {
      metadata: { name: 'default-deny', namespace, labels },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
    new k8s.KubeNetworkPolicy(this, 'Dns', {
      metadata: { name: 'allow-dns-egress', namespace, labels },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          {
            to: [podsInNamespace(KUBE_DNS.namespace, KUBE_DNS.labels)],
            ports: [
              { protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) },
              { protocol: 'TCP', port: k8s.IntOrString.fromNumber(53) },
            ],
          },
        ],
      },
    });
  }
}
