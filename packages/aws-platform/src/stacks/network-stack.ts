import type { Environment, Organization } from '@platform/model';
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { PlatformNetwork } from '../platform-network';
import { tagResources } from '../platform-tags';

export interface NetworkStackProps extends StackProps {
  readonly organization: Organization;
  readonly environment: Environment;
}

/** The environment's VPC, its flow logs and endpoints. */
export class NetworkStack extends Stack {
  public readonly network: PlatformNetwork;

  public constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    this.network = new PlatformNetwork(this, 'Network', {
      organization: props.organization,
      environment: props.environment,
    });
    tagResources(this, props.environment.name, props.environment.tags);
  }
}
