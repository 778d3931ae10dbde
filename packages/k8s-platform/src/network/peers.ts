import { PLATFORM_NAMESPACES } from '@platform/model';
import { k8s } from 'cdk8s-plus-28';

/** Label every namespace carries with its own name (set by the API server). */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/**
 * Pods with these labels in this namespace. Both selectors sit in ONE peer, which means AND;
 * two peers would mean OR and admit the labels in any namespace.
 */
export function podsInNamespace(namespace: string, labels: Record<string, string>): k8s.NetworkPolicyPeer {
  return {
    namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } },
    podSelector: { matchLabels: labels },
  };
}

/** CoreDNS pods, which keep the `k8s-app: kube-dns` label on EKS. */
export const KUBE_DNS = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } } as const;

/** Prometheus pods that kube-prometheus-stack runs through the Prometheus operator. */
export const PROMETHEUS_POD_LABELS = { 'app.kubernetes.io/name': 'prometheus' } as const;

/** The EKS Pod Identity agent on every node: where pods get their AWS credentials. */
export const POD_IDENTITY_AGENT = { cidr: '169.254.170.23/32', port: 80 } as const;

export function ipBlocks(cidrs: readonly string[], except?: readonly string[]): k8s.NetworkPolicyPeer[] {
  return cidrs.map((cidr) => ({ ipBlock: { cidr, ...(except ? { except: [...except] } : {}) } }));
}

export function tcp(port: number): k8s.NetworkPolicyPort {
  return { protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) };
}

/**
 * The ingress rule that lets the kube-prometheus-stack Prometheus (namespace monitoring) scrape a metrics port, and
 * only that port. Every namespace with a default deny needs it for each port a ServiceMonitor or PodMonitor scrapes
 * there, or the target is down and the alerts on its metrics never see a series.
 */
export function prometheusScrapeRule(port: number): k8s.NetworkPolicyIngressRule {
  return { from: [podsInNamespace(PLATFORM_NAMESPACES.monitoring, PROMETHEUS_POD_LABELS)], ports: [tcp(port)] };
}
