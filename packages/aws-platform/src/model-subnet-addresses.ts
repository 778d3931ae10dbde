import { type Environment, planSubnets, type SubnetPlan, type SubnetTier, UserError } from '@platform/model';
import {
  type AllocateCidrRequest,
  type IIpAddresses,
  type SubnetIpamOptions,
  SubnetType,
  type VpcIpamOptions,
} from 'aws-cdk-lib/aws-ec2';

const TIER_OF_SUBNET_TYPE: Partial<Record<SubnetType, SubnetTier>> = {
  [SubnetType.PUBLIC]: 'public',
  [SubnetType.PRIVATE_WITH_EGRESS]: 'private',
  [SubnetType.PRIVATE_ISOLATED]: 'isolated',
};

/**
 * The VPC's addresses exactly as `planSubnets` lays them out, so the subnets CloudFormation creates
 * are, by construction, the ones the Kubernetes half names in its network policies.
 */
export class ModelSubnetAddresses implements IIpAddresses {
  private readonly plans: readonly SubnetPlan[];

  public constructor(private readonly environment: Environment) {
    this.plans = planSubnets(environment);
  }

  public allocateVpcCidr(): VpcIpamOptions {
    return { cidrBlock: this.environment.network.vpcCidr };
  }

  public allocateSubnetsCidr(input: AllocateCidrRequest): SubnetIpamOptions {
    return {
      allocatedSubnets: input.requestedSubnets.map((requested) => ({
        cidr: this.cidrOf(requested.configuration.subnetType, requested.availabilityZone),
      })),
    };
  }

  private cidrOf(subnetType: SubnetType, availabilityZone: string): string {
    const tier = TIER_OF_SUBNET_TYPE[subnetType];
    const plan = this.plans.find((p) => p.tier === tier && p.availabilityZone === availabilityZone);
    if (!plan) {
      throw new UserError(
        `environment '${this.environment.name}': no planned ${tier ?? subnetType} subnet in ${availabilityZone}; ` +
          `network.availabilityZones lists ${this.environment.availabilityZones.join(', ')}`,
      );
    }
    return plan.cidr;
  }
}
