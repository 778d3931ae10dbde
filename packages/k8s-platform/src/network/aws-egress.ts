import { EKS_DEFAULT_SERVICE_IPV4_CIDRS, type Environment, subnetCidrs } from '@platform/model';
import type { k8s } from 'cdk8s-plus-28';
import { ipBlocks, POD_IDENTITY_AGENT, tcp } from './peers';

/** Port of the AWS APIs and of the Kubernetes API server's endpoint. */
export const HTTPS = 443;

/**
 * Where AWS APIs are: the interface endpoints in the private subnets, or, in an environment without
 * them, the public endpoints through the NAT gateways (anything outside the VPC).
 */
export function awsApiPeers(environment: Environment): k8s.NetworkPolicyPeer[] {
  if (environment.network.interfaceEndpoints) return ipBlocks(subnetCidrs(environment, 'private'));
  return ipBlocks(['0.0.0.0/0'], [environment.network.vpcCidr]);
}

/**
 * A pod's way to AWS (a service's that uses a queue, an add-on's): its credentials from the Pod Identity agent (no STS call: the agent hands out the role's
 * credentials), then the AWS APIs over HTTPS through the interface endpoints or the NAT gateways (`awsApiPeers`).
 */
export function awsEgress(environment: Environment): k8s.NetworkPolicyEgressRule[] {
  return [podIdentityEgress(), httpsEgress(awsApiPeers(environment))];
}

/** To the EKS Pod Identity agent on the node, where a pod gets its role's credentials. */
export function podIdentityEgress(): k8s.NetworkPolicyEgressRule {
  return { to: ipBlocks([POD_IDENTITY_AGENT.cidr]), ports: [tcp(POD_IDENTITY_AGENT.port)] };
}

/** HTTPS to the peers, each once (the AWS APIs and the API server share the private subnets where endpoints exist). */
export function httpsEgress(peers: readonly k8s.NetworkPolicyPeer[]): k8s.NetworkPolicyEgressRule {
  const unique = [...new Map(peers.map((peer) => [JSON.stringify(peer), peer])).values()];
  return { to: unique, ports: [tcp(HTTPS)] };
}

/**
 * Where the Kubernetes API server answers pods. A pod dials `kubernetes.default.svc`, a Service address, and the VPC
 * CNI's network policy agent judges egress before that address is translated to an endpoint (amazon-network-policy-
 * controller-k8s, pkg/resolvers/endpoints.go): so the Service block EKS picked (either default: the clusters name
 * none) is allowed, as are the control plane's network interfaces in the private subnets (platform-cluster.ts), for
 * a client given the endpoint addresses themselves.
 */
export function apiServerPeers(environment: Environment): k8s.NetworkPolicyPeer[] {
  return ipBlocks([...EKS_DEFAULT_SERVICE_IPV4_CIDRS, ...subnetCidrs(environment, 'private')]);
}

/**
 * Where S3 answers: every VPC has a gateway endpoint for S3 (platform-network.ts), which routes to S3's public
 * addresses (a prefix list, which a NetworkPolicy cannot name), not to an address in the VPC; without it the NAT
 * gateways reach the same addresses. So: anything outside the VPC.
 */
export function s3Peers(environment: Environment): k8s.NetworkPolicyPeer[] {
  return ipBlocks(['0.0.0.0/0'], [environment.network.vpcCidr]);
}
