import { blockSize, type Cidr, formatCidr, parseCidr } from './cidr';
import type { Environment } from './schema';

export const SUBNET_TIERS = ['private', 'public', 'isolated'] as const;
export type SubnetTier = (typeof SUBNET_TIERS)[number];

export interface SubnetPlan {
  readonly tier: SubnetTier;
  readonly availabilityZone: string;
  readonly cidr: string;
}

/**
 * The subnets of an environment's VPC: one per tier and AZ, carved from the VPC CIDR largest
 * tier first so that no block is wasted on alignment. Both halves read it: the AWS half builds
 * exactly these subnets and the Kubernetes half allows egress to the isolated ones by CIDR.
 */
export function planSubnets(environment: Environment): SubnetPlan[] {
  const vpc = parseCidr(environment.network.vpcCidr);
  if (typeof vpc === 'string') throw new Error(vpc);
  const needed = addressesNeeded(environment);
  if (needed > blockSize(vpc.prefix)) {
    throw new Error(
      `${environment.network.vpcCidr} holds ${blockSize(vpc.prefix)} addresses; the subnets need ${needed}`,
    );
  }
  const tiersLargestFirst = [...SUBNET_TIERS].sort(
    (a, b) => environment.network.subnetPrefixes[a] - environment.network.subnetPrefixes[b],
  );
  let next = vpc.network;
  const plans: SubnetPlan[] = [];
  for (const tier of tiersLargestFirst) {
    const prefix = environment.network.subnetPrefixes[tier];
    for (const availabilityZone of environment.availabilityZones) {
      const subnet: Cidr = { network: next, prefix };
      plans.push({ tier, availabilityZone, cidr: formatCidr(subnet) });
      next += blockSize(prefix);
    }
  }
  return plans;
}

/** Addresses that three subnets of each tier take. */
export function addressesNeeded(environment: Pick<Environment, 'availabilityZones' | 'network'>): number {
  return SUBNET_TIERS.reduce(
    (sum, tier) => sum + environment.availabilityZones.length * blockSize(environment.network.subnetPrefixes[tier]),
    0,
  );
}

export function subnetCidrs(environment: Environment, tier: SubnetTier): string[] {
  return planSubnets(environment)
    .filter((plan) => plan.tier === tier)
    .map((plan) => plan.cidr);
}
