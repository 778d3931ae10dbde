import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledge, acknowledgeManagedPolicies } from './acknowledge';
import { skipCheckov } from './checkov-skips';
import { SUBNET_GROUP_NAMES } from './platform-network';

/** The AWS-owned Session Manager document that forwards a local port to a host the instance reaches. */
export const PORT_FORWARDING_DOCUMENT = 'AWS-StartPortForwardingSessionToRemoteHost';

/** The one managed policy of the instance's role: what the SSM agent needs to register and carry sessions. */
export const SSM_AGENT_POLICY = 'AmazonSSMManagedInstanceCore';

export interface BreakGlassBastionProps {
  readonly vpc: ec2.IVpc;
  /** The cluster whose API endpoint the instance forwards to (its cluster security group admits it on 443). */
  readonly cluster: eks.ICluster;
  /** `Name` tag of the instance (`EnvironmentNaming.breakGlassBastionName`), by which the runbook finds it. */
  readonly name: string;
  /**
   * Instance type; arm64, as the AMI is AL2023 for arm64.
   * @default t4g.nano
   */
  readonly instanceType?: ec2.InstanceType;
}

/**
 * A minimal instance in a private subnet through which people reach a private API endpoint: Session Manager port
 * forwarding (PORT_FORWARDING_DOCUMENT) from a laptop to the endpoint on 443, with no SSH key, no inbound rule and
 * no public address. The SSM agent connects out (443, through the NAT gateways); IMDSv2 only; the root volume is
 * encrypted; the role has SSM_AGENT_POLICY only. The AMI is the latest AL2023 for arm64, read from its public SSM
 * parameter at each deploy, so a deploy after an AMI release replaces the instance (it holds no state).
 * See docs/cluster-access.md.
 */
export class BreakGlassBastion extends Construct {
  public readonly instance: ec2.Instance;
  public readonly securityGroup: ec2.SecurityGroup;

  public constructor(scope: Construct, id: string, props: BreakGlassBastionProps) {
    super(scope, id);
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: `Session Manager agent of ${props.name}`,
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName(SSM_AGENT_POLICY)],
    });
    acknowledgeManagedPolicies(
      role,
      'AmazonSSMManagedInstanceCore is the policy Session Manager documents for its agent; the instance holds nothing else.',
    );
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `${props.name}: no inbound; out to the SSM endpoints and the cluster API on 443`,
      allowAllOutbound: false,
    });
    // Session Manager's endpoints (ssm, ssmmessages, ec2messages) are public AWS endpoints reached through NAT, and
    // the API endpoint's private addresses are in the VPC: both on 443.
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'Session Manager and the cluster API');
    props.cluster.clusterSecurityGroup.addIngressRule(
      this.securityGroup,
      ec2.Port.tcp(443),
      `Break-glass instance ${props.name} to the API endpoint`,
    );
    this.instance = new ec2.Instance(this, 'Instance', {
      vpc: props.vpc,
      vpcSubnets: { subnetGroupName: SUBNET_GROUP_NAMES.private },
      instanceName: props.name,
      instanceType: props.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.NANO),
      machineImage: ec2.MachineImage.latestAmazonLinux2023({ cpuType: ec2.AmazonLinuxCpuType.ARM_64 }),
      role,
      securityGroup: this.securityGroup,
      associatePublicIpAddress: false,
      requireImdsv2: true,
      blockDevices: [
        {
          deviceName: '/dev/xvda',
          volume: ec2.BlockDeviceVolume.ebs(8, {
            encrypted: true,
            volumeType: ec2.EbsDeviceVolumeType.GP3,
            deleteOnTermination: true,
          }),
        },
      ],
    });
    this.acknowledgeFindings();
  }

  /**
   * Lets the grantee forward a port through this instance and nothing else of Session Manager: StartSession on the
   * instance with PORT_FORWARDING_DOCUMENT. `ssm:SessionDocumentAccessCheck` makes Session Manager check the
   * document too; without it a session may use the default shell document (Session Manager user guide,
   * "Enforce a session document permission check").
   */
  public grantPortForwarding(grantee: iam.IGrantable): void {
    const stack = Stack.of(this);
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'BreakGlassPortForwarding',
        actions: ['ssm:StartSession'],
        resources: [
          stack.formatArn({ service: 'ec2', resource: 'instance', resourceName: this.instance.instanceId }),
          stack.formatArn({
            service: 'ssm',
            account: '',
            resource: 'document',
            resourceName: PORT_FORWARDING_DOCUMENT,
          }),
        ],
        conditions: { BoolIfExists: { 'ssm:SessionDocumentAccessCheck': 'true' } },
      }),
    );
  }

  private acknowledgeFindings(): void {
    const reason =
      'The break-glass instance only forwards Session Manager sessions: it holds no data or service whose health would need detailed metrics or protection from termination, and it is replaced at each AMI release.';
    acknowledge(this.instance, 'AwsSolutions-EC28', reason);
    acknowledge(this.instance, 'AwsSolutions-EC29', reason);
    acknowledge(
      this.instance,
      'CloudFormation-Validate::W3010',
      "aws-cdk-lib writes the availability zone of the instance's subnet, which the committed context of the account fixes.",
    );
    skipCheckov(this.instance, 'CKV_AWS_126', reason);
    skipCheckov(this.instance, 'CKV_AWS_135', `${reason} T4g instances are EBS-optimized by default.`);
  }
}
