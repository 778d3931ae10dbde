import { cidrContains } from './ip';

/**
 * A small NetworkPolicy evaluator (networking.k8s.io/v1 semantics) for tests: given the policies,
 * may `source` open a connection to `destination` on a port? Traffic passes only when the source's
 * egress AND the destination's ingress allow it; a side that no policy of the given type selects is open.
 */

export interface PodEndpoint {
  readonly kind: 'pod';
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly ip: string;
}

export interface ExternalEndpoint {
  readonly kind: 'external';
  readonly name: string;
  readonly ip: string;
}

export type Endpoint = PodEndpoint | ExternalEndpoint;

export interface Connection {
  readonly port: number;
  readonly protocol?: 'TCP' | 'UDP';
}

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

interface Peer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}

interface Rule {
  ports?: { protocol?: string; port?: number | string; endPort?: number }[];
  from?: Peer[];
  to?: Peer[];
}

export interface NetworkPolicy {
  metadata: { name: string; namespace: string };
  spec: {
    podSelector: LabelSelector;
    policyTypes?: ('Ingress' | 'Egress')[];
    ingress?: Rule[];
    egress?: Rule[];
  };
}

export function matchesSelector(selector: LabelSelector, labels: Record<string, string>): boolean {
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  const byExpressions = (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    switch (operator) {
      case 'In':
        return key in labels && values.includes(labels[key]);
      case 'NotIn':
        return !(key in labels) || !values.includes(labels[key]);
      case 'Exists':
        return key in labels;
      case 'DoesNotExist':
        return !(key in labels);
      default:
        throw new Error(`unknown selector operator ${operator}`);
    }
  });
  return byLabels && byExpressions;
}

function namespaceLabels(namespace: string): Record<string, string> {
  return { 'kubernetes.io/metadata.name': namespace };
}

function policyTypes(policy: NetworkPolicy): string[] {
  return policy.spec.policyTypes ?? ['Ingress', ...(policy.spec.egress ? ['Egress'] : [])];
}

/** Whether a peer of a policy in `policyNamespace` denotes the endpoint. */
function peerMatches(peer: Peer, endpoint: Endpoint, policyNamespace: string): boolean {
  if (peer.ipBlock) {
    const { cidr, except = [] } = peer.ipBlock;
    return cidrContains(cidr, endpoint.ip) && !except.some((excluded) => cidrContains(excluded, endpoint.ip));
  }
  if (endpoint.kind !== 'pod') return false;
  // Within one peer, namespaceSelector and podSelector must BOTH match; without a namespaceSelector
  // the peer means pods in the policy's own namespace.
  const namespaceOk = peer.namespaceSelector
    ? matchesSelector(peer.namespaceSelector, namespaceLabels(endpoint.namespace))
    : endpoint.namespace === policyNamespace;
  const podOk = peer.podSelector ? matchesSelector(peer.podSelector, endpoint.labels) : true;
  return namespaceOk && podOk;
}

function portMatches(rule: Rule, connection: Connection): boolean {
  if (!rule.ports || rule.ports.length === 0) return true;
  return rule.ports.some((port) => {
    if ((port.protocol ?? 'TCP') !== (connection.protocol ?? 'TCP')) return false;
    if (port.port === undefined) return true;
    if (typeof port.port === 'string') throw new Error('named ports are not evaluated; policies use numbers');
    return port.endPort === undefined
      ? port.port === connection.port
      : connection.port >= port.port && connection.port <= port.endPort;
  });
}

function sideAllows(
  policies: readonly NetworkPolicy[],
  subject: PodEndpoint,
  type: 'Ingress' | 'Egress',
  peer: Endpoint,
  connection: Connection,
): boolean {
  const selecting = policies.filter(
    (policy) =>
      policy.metadata.namespace === subject.namespace &&
      policyTypes(policy).includes(type) &&
      matchesSelector(policy.spec.podSelector, subject.labels),
  );
  if (selecting.length === 0) return true;
  return selecting.some((policy) =>
    (type === 'Ingress' ? policy.spec.ingress : policy.spec.egress)?.some((rule) => {
      const peers = type === 'Ingress' ? rule.from : rule.to;
      const peerOk = !peers || peers.length === 0 || peers.some((p) => peerMatches(p, peer, policy.metadata.namespace));
      return peerOk && portMatches(rule, connection);
    }),
  );
}

export function mayConnect(
  policies: readonly NetworkPolicy[],
  source: Endpoint,
  destination: Endpoint,
  connection: Connection,
): boolean {
  const egressOk = source.kind === 'external' || sideAllows(policies, source, 'Egress', destination, connection);
  const ingressOk = destination.kind === 'external' || sideAllows(policies, destination, 'Ingress', source, connection);
  return egressOk && ingressOk;
}
