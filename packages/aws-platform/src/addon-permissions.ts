import type { EnvironmentNaming } from '@platform/model';
import { Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { parameterArn, secretPrefixArn } from './resource-arns';

/** External Secrets reads the environment's secrets and parameters, below the contract's prefixes only. */
export function externalSecretsStatements(scope: IConstruct, naming: EnvironmentNaming): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'ReadEnvironmentSecrets',
      actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
      resources: [secretPrefixArn(scope, naming.secretPrefix)],
    }),
    new iam.PolicyStatement({
      sid: 'ReadEnvironmentParameters',
      actions: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath'],
      resources: [parameterArn(scope, `${naming.parameterPrefix}*`)],
    }),
  ];
}

const ELBV2_CLUSTER_TAG = 'elbv2.k8s.aws/cluster';

/**
 * What the AWS Load Balancer Controller needs to manage the load balancers, target groups and
 * security groups it creates; mutations are limited to resources carrying its cluster tag.
 */
export function loadBalancerControllerStatements(): iam.PolicyStatement[] {
  const taggedByController = { Null: { [`aws:ResourceTag/${ELBV2_CLUSTER_TAG}`]: 'false' } };
  const taggingOnCreate = { Null: { [`aws:RequestTag/${ELBV2_CLUSTER_TAG}`]: 'false' } };
  return [
    new iam.PolicyStatement({
      sid: 'CreateElbServiceLinkedRole',
      actions: ['iam:CreateServiceLinkedRole'],
      resources: ['*'],
      conditions: { StringEquals: { 'iam:AWSServiceName': 'elasticloadbalancing.amazonaws.com' } },
    }),
    new iam.PolicyStatement({
      sid: 'Describe',
      actions: [
        'ec2:DescribeAccountAttributes',
        'ec2:DescribeAddresses',
        'ec2:DescribeAvailabilityZones',
        'ec2:DescribeInternetGateways',
        'ec2:DescribeVpcs',
        'ec2:DescribeVpcPeeringConnections',
        'ec2:DescribeSubnets',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeInstances',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeTags',
        'ec2:DescribeRouteTables',
        'ec2:GetCoipPoolUsage',
        'ec2:DescribeCoipPools',
        'ec2:GetSecurityGroupsForVpc',
        'ec2:DescribeIpamPools',
        'elasticloadbalancing:Describe*',
        'acm:ListCertificates',
        'acm:DescribeCertificate',
        'iam:ListServerCertificates',
        'iam:GetServerCertificate',
        'cognito-idp:DescribeUserPoolClient',
        'wafv2:GetWebACL',
        'wafv2:GetWebACLForResource',
        'wafv2:AssociateWebACL',
        'wafv2:DisassociateWebACL',
        'shield:GetSubscriptionState',
        'shield:DescribeProtection',
        'shield:CreateProtection',
        'shield:DeleteProtection',
      ],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'CreateSecurityGroups',
      actions: ['ec2:CreateSecurityGroup', 'ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'TagSecurityGroupsOnCreate',
      actions: ['ec2:CreateTags'],
      resources: [`arn:${Aws.PARTITION}:ec2:*:*:security-group/*`],
      conditions: { StringEquals: { 'ec2:CreateAction': 'CreateSecurityGroup' }, ...taggingOnCreate },
    }),
    new iam.PolicyStatement({
      sid: 'ManageOwnSecurityGroups',
      actions: ['ec2:CreateTags', 'ec2:DeleteTags', 'ec2:DeleteSecurityGroup'],
      resources: [`arn:${Aws.PARTITION}:ec2:*:*:security-group/*`],
      conditions: taggedByController,
    }),
    new iam.PolicyStatement({
      sid: 'CreateTaggedLoadBalancers',
      actions: ['elasticloadbalancing:CreateLoadBalancer', 'elasticloadbalancing:CreateTargetGroup'],
      resources: ['*'],
      conditions: taggingOnCreate,
    }),
    new iam.PolicyStatement({
      sid: 'ManageListenersAndRules',
      actions: [
        'elasticloadbalancing:CreateListener',
        'elasticloadbalancing:DeleteListener',
        'elasticloadbalancing:CreateRule',
        'elasticloadbalancing:DeleteRule',
        'elasticloadbalancing:ModifyListener',
        'elasticloadbalancing:ModifyRule',
        'elasticloadbalancing:AddListenerCertificates',
        'elasticloadbalancing:RemoveListenerCertificates',
        'elasticloadbalancing:SetWebAcl',
      ],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'ManageOwnLoadBalancers',
      actions: [
        'elasticloadbalancing:AddTags',
        'elasticloadbalancing:RemoveTags',
        'elasticloadbalancing:ModifyLoadBalancerAttributes',
        'elasticloadbalancing:SetIpAddressType',
        'elasticloadbalancing:SetSecurityGroups',
        'elasticloadbalancing:SetSubnets',
        'elasticloadbalancing:DeleteLoadBalancer',
        'elasticloadbalancing:ModifyTargetGroup',
        'elasticloadbalancing:ModifyTargetGroupAttributes',
        'elasticloadbalancing:DeleteTargetGroup',
        'elasticloadbalancing:ModifyListenerAttributes',
        'elasticloadbalancing:ModifyCapacityReservation',
        'elasticloadbalancing:ModifyIpPools',
      ],
      resources: ['*'],
      conditions: taggedByController,
    }),
    new iam.PolicyStatement({
      sid: 'TagOnCreate',
      actions: ['elasticloadbalancing:AddTags'],
      resources: ['*'],
      conditions: {
        StringEquals: { 'elasticloadbalancing:CreateAction': ['CreateTargetGroup', 'CreateLoadBalancer'] },
        ...taggingOnCreate,
      },
    }),
    new iam.PolicyStatement({
      sid: 'RegisterTargets',
      actions: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'],
      resources: [`arn:${Aws.PARTITION}:elasticloadbalancing:*:*:targetgroup/*/*`],
    }),
  ];
}

/** The tag Karpenter puts on each instance profile it creates, naming its EC2NodeClass. */
const NODE_CLASS_TAG = 'karpenter.k8s.aws/ec2nodeclass';

const requestTags = (tags: Record<string, string>) =>
  Object.fromEntries(Object.entries(tags).map(([key, value]) => [`aws:RequestTag/${key}`, value]));
const resourceTags = (tags: Record<string, string>) =>
  Object.fromEntries(Object.entries(tags).map(([key, value]) => [`aws:ResourceTag/${key}`, value]));

export interface KarpenterControllerScope {
  readonly clusterName: string;
  readonly clusterArn: string;
  readonly nodeRoleArn: string;
  readonly interruptionQueueArn: string;
}

/**
 * What the Karpenter controller needs: launch and terminate the nodes of this cluster (resources
 * tagged with the cluster), pass the node role only, change only the instance profiles it tagged
 * for this cluster and region, and read its interruption queue.
 */
export function karpenterControllerStatements(
  scope: IConstruct,
  karpenter: KarpenterControllerScope,
): iam.PolicyStatement[] {
  const { region } = Stack.of(scope);
  const clusterTag = `kubernetes.io/cluster/${karpenter.clusterName}`;
  const profileTags = { [clusterTag]: 'owned', 'topology.kubernetes.io/region': region };
  const instanceProfiles = Stack.of(scope).formatArn({
    service: 'iam',
    region: '',
    resource: 'instance-profile',
    resourceName: '*',
  });
  const ec2Arn = (resource: string) => `arn:${Aws.PARTITION}:ec2:${region}:*:${resource}`;
  const ownedResources = [
    'fleet/*',
    'instance/*',
    'volume/*',
    'network-interface/*',
    'launch-template/*',
    'spot-instances-request/*',
  ].map(ec2Arn);
  return [
    new iam.PolicyStatement({
      sid: 'LaunchFromSharedResources',
      actions: ['ec2:RunInstances', 'ec2:CreateFleet'],
      resources: ['image/*', 'snapshot/*', 'security-group/*', 'subnet/*', 'capacity-reservation/*'].map(ec2Arn),
    }),
    new iam.PolicyStatement({
      sid: 'LaunchClusterTaggedResources',
      actions: ['ec2:RunInstances', 'ec2:CreateFleet', 'ec2:CreateLaunchTemplate'],
      resources: ownedResources,
      conditions: { StringEquals: { [`aws:RequestTag/${clusterTag}`]: 'owned' } },
    }),
    new iam.PolicyStatement({
      sid: 'TagOnLaunch',
      actions: ['ec2:CreateTags'],
      resources: ownedResources,
      conditions: {
        StringEquals: {
          [`aws:RequestTag/${clusterTag}`]: 'owned',
          'ec2:CreateAction': ['RunInstances', 'CreateFleet', 'CreateLaunchTemplate'],
        },
      },
    }),
    new iam.PolicyStatement({
      sid: 'LabelClusterNodes',
      actions: ['ec2:CreateTags'],
      resources: [ec2Arn('instance/*')],
      conditions: {
        StringEquals: { [`aws:ResourceTag/${clusterTag}`]: 'owned' },
        StringEqualsIfExists: { 'aws:RequestTag/eks:eks-cluster-name': karpenter.clusterName },
        // Only the tags Karpenter sets after launch: it cannot move a node to another cluster.
        'ForAllValues:StringEquals': { 'aws:TagKeys': ['eks:eks-cluster-name', 'karpenter.sh/nodeclaim', 'Name'] },
      },
    }),
    new iam.PolicyStatement({
      sid: 'RemoveClusterNodes',
      actions: ['ec2:TerminateInstances', 'ec2:DeleteLaunchTemplate'],
      resources: [ec2Arn('instance/*'), ec2Arn('launch-template/*')],
      conditions: { StringEquals: { [`aws:ResourceTag/${clusterTag}`]: 'owned' } },
    }),
    new iam.PolicyStatement({
      sid: 'DescribeCapacity',
      actions: [
        'ec2:DescribeAvailabilityZones',
        'ec2:DescribeCapacityReservations',
        'ec2:DescribeImages',
        'ec2:DescribeInstances',
        'ec2:DescribeInstanceTypeOfferings',
        'ec2:DescribeInstanceTypes',
        'ec2:DescribeLaunchTemplates',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeSpotPriceHistory',
        'ec2:DescribeSubnets',
        'pricing:GetProducts',
      ],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'ReadAmiParameters',
      actions: ['ssm:GetParameter'],
      resources: [`arn:${Aws.PARTITION}:ssm:${region}::parameter/aws/service/*`],
    }),
    new iam.PolicyStatement({
      sid: 'ReadInterruptionQueue',
      actions: ['sqs:DeleteMessage', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'],
      resources: [karpenter.interruptionQueueArn],
    }),
    new iam.PolicyStatement({
      sid: 'PassNodeRole',
      actions: ['iam:PassRole'],
      resources: [karpenter.nodeRoleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
    }),
    // Karpenter creates one instance profile per EC2NodeClass and tags it with the cluster, the
    // region and the node class: it may change only profiles that carry those tags.
    new iam.PolicyStatement({
      sid: 'CreateNodeInstanceProfiles',
      actions: ['iam:CreateInstanceProfile'],
      resources: [instanceProfiles],
      conditions: {
        StringEquals: { ...requestTags(profileTags), 'aws:RequestTag/eks:eks-cluster-name': karpenter.clusterName },
        StringLike: { [`aws:RequestTag/${NODE_CLASS_TAG}`]: '*' },
      },
    }),
    new iam.PolicyStatement({
      sid: 'TagNodeInstanceProfiles',
      actions: ['iam:TagInstanceProfile'],
      resources: [instanceProfiles],
      conditions: {
        StringEquals: {
          ...resourceTags(profileTags),
          ...requestTags(profileTags),
          'aws:RequestTag/eks:eks-cluster-name': karpenter.clusterName,
        },
        StringLike: { [`aws:ResourceTag/${NODE_CLASS_TAG}`]: '*', [`aws:RequestTag/${NODE_CLASS_TAG}`]: '*' },
      },
    }),
    new iam.PolicyStatement({
      sid: 'ManageNodeInstanceProfiles',
      actions: ['iam:AddRoleToInstanceProfile', 'iam:RemoveRoleFromInstanceProfile', 'iam:DeleteInstanceProfile'],
      resources: [instanceProfiles],
      conditions: {
        StringEquals: resourceTags(profileTags),
        StringLike: { [`aws:ResourceTag/${NODE_CLASS_TAG}`]: '*' },
      },
    }),
    new iam.PolicyStatement({
      sid: 'ReadInstanceProfiles',
      actions: ['iam:GetInstanceProfile', 'iam:ListInstanceProfiles'],
      resources: [instanceProfiles],
    }),
    new iam.PolicyStatement({
      sid: 'DescribeCluster',
      actions: ['eks:DescribeCluster'],
      resources: [karpenter.clusterArn],
    }),
  ];
}
