import { Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';

const ELBV2_CLUSTER_TAG = 'elbv2.k8s.aws/cluster';

/**
 * What the AWS Load Balancer Controller needs to manage the load balancers, target groups and
 * security groups it creates: upstream's policy for the version the chart pins (statement for
 * statement, see LOAD_BALANCER_CONTROLLER_POLICY_REFERENCE), with ARNs narrowed to this region and
 * account. Mutations need the controller's cluster tag on the resource; tag changes on its own
 * resources may not touch that tag (Null `aws:RequestTag/...` = true), so it cannot adopt or
 * release resources of another cluster.
 */
export function loadBalancerControllerStatements(scope: IConstruct): iam.PolicyStatement[] {
  const { region, account } = Stack.of(scope);
  const arn = (service: string, resource: string) => `arn:${Aws.PARTITION}:${service}:${region}:${account}:${resource}`;
  const securityGroups = arn('ec2', 'security-group/*');
  const targetGroups = arn('elasticloadbalancing', 'targetgroup/*/*');
  const targetGroupsAndLoadBalancers = [
    targetGroups,
    arn('elasticloadbalancing', 'loadbalancer/net/*/*'),
    arn('elasticloadbalancing', 'loadbalancer/app/*/*'),
  ];
  const taggedByController = { Null: { [`aws:ResourceTag/${ELBV2_CLUSTER_TAG}`]: 'false' } };
  const taggingOnCreate = { Null: { [`aws:RequestTag/${ELBV2_CLUSTER_TAG}`]: 'false' } };
  const ownTagsKeepClusterTag = {
    Null: { [`aws:RequestTag/${ELBV2_CLUSTER_TAG}`]: 'true', [`aws:ResourceTag/${ELBV2_CLUSTER_TAG}`]: 'false' },
  };
  return [
    new iam.PolicyStatement({
      sid: 'CreateElbServiceLinkedRole',
      actions: ['iam:CreateServiceLinkedRole'],
      resources: ['*'],
      conditions: { StringEquals: { 'iam:AWSServiceName': 'elasticloadbalancing.amazonaws.com' } },
    }),
    new iam.PolicyStatement({
      sid: 'DescribeNetworkAndLoadBalancers',
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
        'ec2:GetCoipPoolUsage',
        'ec2:DescribeCoipPools',
        'ec2:GetSecurityGroupsForVpc',
        'ec2:DescribeIpamPools',
        'ec2:DescribeRouteTables',
        'elasticloadbalancing:DescribeLoadBalancers',
        'elasticloadbalancing:DescribeLoadBalancerAttributes',
        'elasticloadbalancing:DescribeListeners',
        'elasticloadbalancing:DescribeListenerCertificates',
        'elasticloadbalancing:DescribeSSLPolicies',
        'elasticloadbalancing:DescribeRules',
        'elasticloadbalancing:DescribeTargetGroups',
        'elasticloadbalancing:DescribeTargetGroupAttributes',
        'elasticloadbalancing:DescribeTargetHealth',
        'elasticloadbalancing:DescribeTags',
        'elasticloadbalancing:DescribeTrustStores',
        'elasticloadbalancing:DescribeListenerAttributes',
        'elasticloadbalancing:DescribeCapacityReservation',
      ],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'IntegrateCertificatesWafAndShield',
      actions: [
        'cognito-idp:DescribeUserPoolClient',
        'acm:ListCertificates',
        'acm:DescribeCertificate',
        'iam:ListServerCertificates',
        'iam:GetServerCertificate',
        'waf-regional:GetWebACL',
        'waf-regional:GetWebACLForResource',
        'waf-regional:AssociateWebACL',
        'waf-regional:DisassociateWebACL',
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
      sid: 'EditSecurityGroupIngress',
      actions: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({ sid: 'CreateSecurityGroups', actions: ['ec2:CreateSecurityGroup'], resources: ['*'] }),
    new iam.PolicyStatement({
      sid: 'TagSecurityGroupsOnCreate',
      actions: ['ec2:CreateTags'],
      resources: [securityGroups],
      conditions: { StringEquals: { 'ec2:CreateAction': 'CreateSecurityGroup' }, ...taggingOnCreate },
    }),
    new iam.PolicyStatement({
      sid: 'TagOwnSecurityGroups',
      actions: ['ec2:CreateTags', 'ec2:DeleteTags'],
      resources: [securityGroups],
      conditions: ownTagsKeepClusterTag,
    }),
    new iam.PolicyStatement({
      sid: 'ManageOwnSecurityGroups',
      actions: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress', 'ec2:DeleteSecurityGroup'],
      resources: ['*'],
      conditions: taggedByController,
    }),
    new iam.PolicyStatement({
      sid: 'CreateTaggedLoadBalancers',
      actions: ['elasticloadbalancing:CreateLoadBalancer', 'elasticloadbalancing:CreateTargetGroup'],
      resources: ['*'],
      conditions: taggingOnCreate,
    }),
    new iam.PolicyStatement({
      sid: 'CreateAndDeleteListenersAndRules',
      actions: [
        'elasticloadbalancing:CreateListener',
        'elasticloadbalancing:DeleteListener',
        'elasticloadbalancing:CreateRule',
        'elasticloadbalancing:DeleteRule',
      ],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'TagOwnLoadBalancers',
      actions: ['elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags'],
      resources: targetGroupsAndLoadBalancers,
      conditions: ownTagsKeepClusterTag,
    }),
    new iam.PolicyStatement({
      sid: 'TagListenersAndRules',
      actions: ['elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags'],
      resources: [
        arn('elasticloadbalancing', 'listener/net/*/*/*'),
        arn('elasticloadbalancing', 'listener/app/*/*/*'),
        arn('elasticloadbalancing', 'listener-rule/net/*/*/*'),
        arn('elasticloadbalancing', 'listener-rule/app/*/*/*'),
      ],
    }),
    new iam.PolicyStatement({
      sid: 'ModifyOwnLoadBalancers',
      actions: [
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
      sid: 'TagLoadBalancersOnCreate',
      actions: ['elasticloadbalancing:AddTags'],
      resources: targetGroupsAndLoadBalancers,
      conditions: {
        StringEquals: { 'elasticloadbalancing:CreateAction': ['CreateTargetGroup', 'CreateLoadBalancer'] },
        ...taggingOnCreate,
      },
    }),
    new iam.PolicyStatement({
      sid: 'RegisterTargets',
      actions: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'],
      resources: [targetGroups],
    }),
    new iam.PolicyStatement({
      sid: 'ModifyListenersAndRules',
      actions: [
        'elasticloadbalancing:SetWebAcl',
        'elasticloadbalancing:ModifyListener',
        'elasticloadbalancing:AddListenerCertificates',
        'elasticloadbalancing:RemoveListenerCertificates',
        'elasticloadbalancing:ModifyRule',
        'elasticloadbalancing:SetRulePriorities',
      ],
      resources: ['*'],
    }),
  ];
}

/** The tag Karpenter puts on each instance profile it creates, naming its EC2NodeClass. */
const NODE_CLASS_TAG = 'karpenter.k8s.aws/ec2nodeclass';
/** The tag Karpenter puts on everything it launches, naming its NodePool; managed node groups lack it. */
const NODE_POOL_TAG = 'karpenter.sh/nodepool';

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
 * What the Karpenter controller needs: upstream's controller policy for the version the chart pins
 * (statement for statement, see KARPENTER_POLICY_REFERENCE). It launches only resources tagged for
 * this cluster and one of its NodePools, and terminates or relabels only instances carrying both
 * tags, so the managed node groups' instances (no NodePool tag) are out of its reach; it passes
 * the Karpenter node role only and changes only the instance profiles it tagged for this cluster
 * and region.
 */
export function karpenterControllerStatements(
  scope: IConstruct,
  karpenter: KarpenterControllerScope,
): iam.PolicyStatement[] {
  const { region, account } = Stack.of(scope);
  const cluster = karpenter.clusterName;
  const clusterTag = `kubernetes.io/cluster/${cluster}`;
  const profileTags = { [clusterTag]: 'owned', 'topology.kubernetes.io/region': region };
  const instanceProfiles = Stack.of(scope).formatArn({
    service: 'iam',
    region: '',
    resource: 'instance-profile',
    resourceName: '*',
  });
  // Resources Karpenter creates are in this account; AMIs and snapshots have no account field, and
  // subnets, security groups, capacity reservations and placement groups may be shared from another.
  const ec2Arn = (owner: string, resource: string) => `arn:${Aws.PARTITION}:ec2:${region}:${owner}:${resource}`;
  const launched = [
    'fleet/*',
    'instance/*',
    'volume/*',
    'network-interface/*',
    'launch-template/*',
    'spot-instances-request/*',
  ].map((resource) => ec2Arn(account, resource));
  const instances = ec2Arn(account, 'instance/*');
  const launchTemplates = ec2Arn(account, 'launch-template/*');
  const ownedByNodePool = {
    StringEquals: { [`aws:ResourceTag/${clusterTag}`]: 'owned' },
    StringLike: { [`aws:ResourceTag/${NODE_POOL_TAG}`]: '*' },
  };
  const launchTags = {
    [`aws:RequestTag/${clusterTag}`]: 'owned',
    'aws:RequestTag/eks:eks-cluster-name': cluster,
  };
  return [
    new iam.PolicyStatement({
      sid: 'AllowScopedEC2InstanceAccessActions',
      actions: ['ec2:RunInstances', 'ec2:CreateFleet'],
      resources: [
        ec2Arn('', 'image/*'),
        ec2Arn('', 'snapshot/*'),
        ...['security-group/*', 'subnet/*', 'capacity-reservation/*', 'placement-group/*'].map((resource) =>
          ec2Arn('*', resource),
        ),
      ],
    }),
    // Karpenter launches from the launch templates it created and tagged: without this, its
    // startup validation (RunInstances/CreateFleet dry runs) fails and EC2NodeClasses stay NotReady.
    new iam.PolicyStatement({
      sid: 'AllowScopedEC2LaunchTemplateAccessActions',
      actions: ['ec2:RunInstances', 'ec2:CreateFleet'],
      resources: [launchTemplates],
      conditions: ownedByNodePool,
    }),
    new iam.PolicyStatement({
      sid: 'AllowScopedEC2InstanceActionsWithTags',
      actions: ['ec2:RunInstances', 'ec2:CreateFleet', 'ec2:CreateLaunchTemplate'],
      resources: launched,
      conditions: {
        StringEquals: launchTags,
        StringLike: { [`aws:RequestTag/${NODE_POOL_TAG}`]: '*' },
      },
    }),
    new iam.PolicyStatement({
      sid: 'AllowScopedResourceCreationTagging',
      actions: ['ec2:CreateTags'],
      resources: launched,
      conditions: {
        StringEquals: { ...launchTags, 'ec2:CreateAction': ['RunInstances', 'CreateFleet', 'CreateLaunchTemplate'] },
        StringLike: { [`aws:RequestTag/${NODE_POOL_TAG}`]: '*' },
      },
    }),
    new iam.PolicyStatement({
      sid: 'AllowScopedResourceTagging',
      actions: ['ec2:CreateTags'],
      resources: [instances],
      conditions: {
        ...ownedByNodePool,
        StringEqualsIfExists: { 'aws:RequestTag/eks:eks-cluster-name': cluster },
        // Only the tags Karpenter sets after launch: it cannot move a node to another cluster.
        'ForAllValues:StringEquals': { 'aws:TagKeys': ['eks:eks-cluster-name', 'karpenter.sh/nodeclaim', 'Name'] },
      },
    }),
    new iam.PolicyStatement({
      sid: 'AllowScopedDeletion',
      actions: ['ec2:TerminateInstances', 'ec2:DeleteLaunchTemplate'],
      resources: [instances, launchTemplates],
      conditions: ownedByNodePool,
    }),
    new iam.PolicyStatement({
      sid: 'AllowPassingInstanceRole',
      actions: ['iam:PassRole'],
      resources: [karpenter.nodeRoleArn],
      conditions: { StringEquals: { 'iam:PassedToService': ['ec2.amazonaws.com', 'ec2.amazonaws.com.cn'] } },
    }),
    // Karpenter creates one instance profile per EC2NodeClass and tags it with the cluster, the
    // region and the node class: it may change only profiles that carry those tags.
    new iam.PolicyStatement({
      sid: 'AllowScopedInstanceProfileCreationActions',
      actions: ['iam:CreateInstanceProfile'],
      resources: [instanceProfiles],
      conditions: {
        StringEquals: { ...requestTags(profileTags), 'aws:RequestTag/eks:eks-cluster-name': cluster },
        StringLike: { [`aws:RequestTag/${NODE_CLASS_TAG}`]: '*' },
      },
    }),
    new iam.PolicyStatement({
      sid: 'AllowScopedInstanceProfileTagActions',
      actions: ['iam:TagInstanceProfile'],
      resources: [instanceProfiles],
      conditions: {
        StringEquals: {
          ...resourceTags(profileTags),
          ...requestTags(profileTags),
          'aws:RequestTag/eks:eks-cluster-name': cluster,
        },
        StringLike: { [`aws:ResourceTag/${NODE_CLASS_TAG}`]: '*', [`aws:RequestTag/${NODE_CLASS_TAG}`]: '*' },
      },
    }),
    new iam.PolicyStatement({
      sid: 'AllowScopedInstanceProfileActions',
      actions: ['iam:AddRoleToInstanceProfile', 'iam:RemoveRoleFromInstanceProfile', 'iam:DeleteInstanceProfile'],
      resources: [instanceProfiles],
      conditions: {
        StringEquals: resourceTags(profileTags),
        StringLike: { [`aws:ResourceTag/${NODE_CLASS_TAG}`]: '*' },
      },
    }),
    new iam.PolicyStatement({
      sid: 'AllowAPIServerEndpointDiscovery',
      actions: ['eks:DescribeCluster'],
      resources: [karpenter.clusterArn],
    }),
    new iam.PolicyStatement({
      sid: 'AllowInterruptionQueueActions',
      actions: ['sqs:DeleteMessage', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'],
      resources: [karpenter.interruptionQueueArn],
    }),
    new iam.PolicyStatement({
      sid: 'AllowZonalShiftStatusReadOnly',
      actions: ['arc-zonal-shift:GetManagedResource'],
      resources: ['*'],
      conditions: { StringEquals: { 'arc-zonal-shift:ResourceIdentifier': karpenter.clusterArn } },
    }),
    new iam.PolicyStatement({
      sid: 'AllowRegionalReadActions',
      actions: [
        'ec2:DescribeCapacityReservations',
        'ec2:DescribeImages',
        'ec2:DescribeInstances',
        'ec2:DescribeInstanceStatus',
        'ec2:DescribeInstanceTypeOfferings',
        'ec2:DescribeInstanceTypes',
        'ec2:DescribeLaunchTemplates',
        'ec2:DescribePlacementGroups',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeSpotPriceHistory',
        'ec2:DescribeSubnets',
      ],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:RequestedRegion': region } },
    }),
    new iam.PolicyStatement({
      sid: 'AllowSSMReadActions',
      actions: ['ssm:GetParameter'],
      resources: [`arn:${Aws.PARTITION}:ssm:${region}::parameter/aws/service/*`],
    }),
    // The Price List API answers in a few regions only, hence no region condition.
    new iam.PolicyStatement({ sid: 'AllowPricingReadActions', actions: ['pricing:GetProducts'], resources: ['*'] }),
    new iam.PolicyStatement({
      sid: 'AllowUnscopedInstanceProfileListAction',
      actions: ['iam:ListInstanceProfiles'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'AllowInstanceProfileReadActions',
      actions: ['iam:GetInstanceProfile'],
      resources: [instanceProfiles],
    }),
  ];
}

/** The Route 53 hosted zone external-dns keeps the edge records in (`environments[].edge.hostedZone`). */
export interface ExternalDnsScope {
  /** The zone's ID, without `/hostedzone/`. */
  readonly hostedZoneId: string;
}

/**
 * What external-dns needs to keep the edge records of one hosted zone: upstream's policy for the version the chart
 * pins (EXTERNAL_DNS_POLICY_REFERENCE), with upstream's `hostedzone/*` narrowed to the model's zone, as upstream's
 * "Further improvements" advises. Changing, listing and reading the tags of records is possible in that zone only.
 * `route53:ListHostedZones` takes no resource (Service Authorization Reference, Amazon Route 53: the action has no
 * resource type), so it stays on `*`: external-dns lists the zones to find the one its `--zone-id-filter` names, and
 * the list shows names and IDs of the account's zones, no records.
 */
export function externalDnsStatements(scope: IConstruct, externalDns: ExternalDnsScope): iam.PolicyStatement[] {
  const zone = Stack.of(scope).formatArn({
    service: 'route53',
    region: '',
    account: '',
    resource: 'hostedzone',
    resourceName: externalDns.hostedZoneId,
  });
  return [
    new iam.PolicyStatement({
      sid: 'ChangeRecordsOfTheEdgeZone',
      actions: ['route53:ChangeResourceRecordSets', 'route53:ListResourceRecordSets', 'route53:ListTagsForResources'],
      resources: [zone],
    }),
    new iam.PolicyStatement({ sid: 'ListHostedZones', actions: ['route53:ListHostedZones'], resources: ['*'] }),
  ];
}
