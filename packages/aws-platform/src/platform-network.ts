import { type Environment, EnvironmentNaming, type Organization, SUBNET_TIERS } from '@platform/model';
import { RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge } from './acknowledge';
import { skipCheckovOnCdkProvider } from './checkov-skips';
import { allowLogGroupEncryption } from './log-encryption';
import { logsRetention } from './log-retention';
import { ModelSubnetAddresses } from './model-subnet-addresses';

export interface PlatformNetworkProps {
  readonly organization: Organization;
  readonly environment: Environment;
}

/** Subnet group names; each tier's subnets are selected by these. */
export const SUBNET_GROUP_NAMES = { public: 'public', private: 'private', isolated: 'isolated' } as const;

/**
 * Interface endpoints that keep image pulls, identity, queue, secret, log and trace traffic inside the VPC. With them
 * the NetworkPolicies of the log and trace collectors and of the services admit AWS APIs in the private subnets only
 * (k8s-platform `awsApiPeers`): every AWS API such a pod's role may call needs its endpoint here, or its calls fail.
 */
const INTERFACE_ENDPOINTS = {
  EcrApi: ec2.InterfaceVpcEndpointAwsService.ECR,
  EcrDocker: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
  Sts: ec2.InterfaceVpcEndpointAwsService.STS,
  Sqs: ec2.InterfaceVpcEndpointAwsService.SQS,
  SecretsManager: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
  CloudWatchLogs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
  XRay: ec2.InterfaceVpcEndpointAwsService.XRAY,
} as const;

/**
 * The environment's VPC: public subnets for load balancers, private subnets with egress for nodes
 * and pods, isolated subnets for data stores, over the model's AZs with exactly the model's CIDRs.
 */
export class PlatformNetwork extends Construct {
  public readonly vpc: ec2.Vpc;

  public constructor(scope: Construct, id: string, props: PlatformNetworkProps) {
    super(scope, id);
    const { environment } = props;
    const naming = new EnvironmentNaming(props.organization, environment);
    const prefixes = environment.network.subnetPrefixes;

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      vpcName: naming.vpcName,
      ipAddresses: new ModelSubnetAddresses(environment),
      availabilityZones: environment.availabilityZones,
      natGateways: environment.network.natGateways === 'single' ? 1 : environment.availabilityZones.length,
      restrictDefaultSecurityGroup: true,
      subnetConfiguration: SUBNET_TIERS.map((tier) => ({
        name: SUBNET_GROUP_NAMES[tier],
        subnetType: SUBNET_TYPES[tier],
        cidrMask: prefixes[tier],
      })),
    });

    acknowledge(
      this.vpc,
      'CloudFormation-Validate::W3010',
      'The AZs are named in the model on purpose: planSubnets assigns each subnet CIDR to an AZ, and the Kubernetes half relies on that plan.',
    );

    // The function aws-cdk-lib adds for restrictDefaultSecurityGroup (its construct ID is the library's).
    const restrictDefaultSecurityGroup = Stack.of(this).node.tryFindChild(
      'Custom::VpcRestrictDefaultSGCustomResourceProvider',
    );
    if (restrictDefaultSecurityGroup) {
      skipCheckovOnCdkProvider(
        restrictDefaultSecurityGroup,
        "The function that removes the default security group's rules",
      );
    }

    for (const subnet of this.vpc.publicSubnets) Tags.of(subnet).add('kubernetes.io/role/elb', '1');
    for (const subnet of this.vpc.privateSubnets) {
      Tags.of(subnet).add('kubernetes.io/role/internal-elb', '1');
      Tags.of(subnet).add(naming.karpenterDiscoveryTag.key, naming.karpenterDiscoveryTag.value);
    }

    this.addFlowLogs(environment, naming);
    this.vpc.addGatewayEndpoint('S3Endpoint', { service: ec2.GatewayVpcEndpointAwsService.S3 });
    if (environment.network.interfaceEndpoints) {
      const endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
        vpc: this.vpc,
        description: 'Interface endpoints, HTTPS from inside the VPC',
        allowAllOutbound: false,
      });
      endpointSecurityGroup.addIngressRule(
        ec2.Peer.ipv4(environment.network.vpcCidr),
        ec2.Port.HTTPS,
        'HTTPS from the VPC',
      );
      for (const [endpointId, service] of Object.entries(INTERFACE_ENDPOINTS)) {
        this.vpc.addInterfaceEndpoint(`${endpointId}Endpoint`, {
          service,
          subnets: { subnetGroupName: SUBNET_GROUP_NAMES.private },
          privateDnsEnabled: true,
          securityGroups: [endpointSecurityGroup],
          open: false,
        });
      }
    }
  }

  private addFlowLogs(environment: Environment, naming: EnvironmentNaming): void {
    const key = new kms.Key(this, 'FlowLogKey', {
      description: `Encrypts the VPC flow logs of ${naming.prefix}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const logGroupName = `/${naming.prefix}/vpc-flow-logs`;
    allowLogGroupEncryption(key, logGroupName);
    const logGroup = new logs.LogGroup(this, 'FlowLogGroup', {
      logGroupName,
      retention: logsRetention(
        environment.name,
        'network.flowLogRetentionDays',
        environment.network.flowLogRetentionDays,
      ),
      encryptionKey: key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(logGroup),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });
  }
}

const SUBNET_TYPES = {
  public: ec2.SubnetType.PUBLIC,
  private: ec2.SubnetType.PRIVATE_WITH_EGRESS,
  isolated: ec2.SubnetType.PRIVATE_ISOLATED,
} as const;
