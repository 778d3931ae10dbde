/**
 * The IAM policies upstream publishes for the controllers that get an AWS identity here, as facts
 * read from the named upstream file at the version the chart of the Kubernetes half pins. A test
 * compares the synthesized policies with these statement by statement (never narrower in actions,
 * never broader in resources or conditions), and the contract test holds each `chart.version`
 * equal to the version dist/ installs: bump a chart and this table together.
 *
 * Placeholders (upstream's `${...}` substitutions, or what upstream spells literally as the `aws`
 * partition): `<Partition>`, `<Region>`, `<AccountId>`, `<ClusterName>` stand for the environment's
 * values; `<KarpenterNodeRole.Arn>` and `<KarpenterInterruptionQueue.Arn>` for the ARNs of the node
 * role and queue upstream's template creates (here named by the naming contract); `<HostedZoneId>` for the
 * environment's hosted zone (`edge.hostedZone.id`), where upstream grants every zone of the account
 * (`hostedzone/*`) and advises naming the zones instead. A `*` in an ARN's region or account field may be
 * narrowed to the environment's.
 */

/** A condition block: operator → condition key → value(s). */
export type ReferenceConditions = Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;

/** One statement of an upstream reference policy. Effect is always Allow. */
export interface ReferenceStatement {
  /** Upstream's Sid where upstream has one; otherwise the Sid our policy gives the statement. */
  readonly sid: string;
  readonly actions: readonly string[];
  /** Resource ARN patterns as upstream writes them, or `*`. */
  readonly resources: readonly string[];
  /** @default - none */
  readonly conditions?: ReferenceConditions;
}

/** An EventBridge pattern upstream routes to the controller's queue. */
export interface ReferenceEventPattern {
  readonly source: string;
  readonly detailType: string;
}

export interface ControllerPolicyReference {
  /** Which controller, in words. */
  readonly controller: string;
  /** The Helm chart the Kubernetes half installs the controller with, and its pinned version. */
  readonly chart: { readonly name: string; readonly version: string };
  /** The controller version that chart version ships (its appVersion). */
  readonly appVersion: string;
  /** Upstream repository, file and tag the statements were read from. */
  readonly source: string;
  readonly statements: readonly ReferenceStatement[];
}

const KARPENTER_LAUNCHED_RESOURCES = [
  'fleet/*',
  'instance/*',
  'volume/*',
  'network-interface/*',
  'launch-template/*',
  'spot-instances-request/*',
].map((resource) => `arn:<Partition>:ec2:<Region>:*:${resource}`);

const KARPENTER_CLUSTER_TAG = 'kubernetes.io/cluster/<ClusterName>';

/**
 * Karpenter 1.14.1: the controller policies of the getting-started CloudFormation template
 * (NodeLifecyclePolicy, IAMIntegrationPolicy, EKSIntegrationPolicy, InterruptionPolicy,
 * ZonalShiftPolicy, ResourceDiscoveryPolicy).
 */
export const KARPENTER_POLICY_REFERENCE: ControllerPolicyReference = {
  controller: 'Karpenter',
  chart: { name: 'karpenter', version: '1.14.1' },
  appVersion: '1.14.1',
  source:
    'aws/karpenter-provider-aws, website/content/en/docs/getting-started/getting-started-with-karpenter/cloudformation.yaml at tag v1.14.1',
  statements: [
    {
      sid: 'AllowScopedEC2InstanceAccessActions',
      actions: ['ec2:RunInstances', 'ec2:CreateFleet'],
      resources: [
        'arn:<Partition>:ec2:<Region>::image/*',
        'arn:<Partition>:ec2:<Region>::snapshot/*',
        'arn:<Partition>:ec2:<Region>:*:security-group/*',
        'arn:<Partition>:ec2:<Region>:*:subnet/*',
        'arn:<Partition>:ec2:<Region>:*:capacity-reservation/*',
        'arn:<Partition>:ec2:<Region>:*:placement-group/*',
      ],
    },
    {
      sid: 'AllowScopedEC2LaunchTemplateAccessActions',
      actions: ['ec2:RunInstances', 'ec2:CreateFleet'],
      resources: ['arn:<Partition>:ec2:<Region>:*:launch-template/*'],
      conditions: {
        StringEquals: { [`aws:ResourceTag/${KARPENTER_CLUSTER_TAG}`]: 'owned' },
        StringLike: { 'aws:ResourceTag/karpenter.sh/nodepool': '*' },
      },
    },
    {
      sid: 'AllowScopedEC2InstanceActionsWithTags',
      actions: ['ec2:RunInstances', 'ec2:CreateFleet', 'ec2:CreateLaunchTemplate'],
      resources: KARPENTER_LAUNCHED_RESOURCES,
      conditions: {
        StringEquals: {
          [`aws:RequestTag/${KARPENTER_CLUSTER_TAG}`]: 'owned',
          'aws:RequestTag/eks:eks-cluster-name': '<ClusterName>',
        },
        StringLike: { 'aws:RequestTag/karpenter.sh/nodepool': '*' },
      },
    },
    {
      sid: 'AllowScopedResourceCreationTagging',
      actions: ['ec2:CreateTags'],
      resources: KARPENTER_LAUNCHED_RESOURCES,
      conditions: {
        StringEquals: {
          [`aws:RequestTag/${KARPENTER_CLUSTER_TAG}`]: 'owned',
          'aws:RequestTag/eks:eks-cluster-name': '<ClusterName>',
          'ec2:CreateAction': ['RunInstances', 'CreateFleet', 'CreateLaunchTemplate'],
        },
        StringLike: { 'aws:RequestTag/karpenter.sh/nodepool': '*' },
      },
    },
    {
      sid: 'AllowScopedResourceTagging',
      actions: ['ec2:CreateTags'],
      resources: ['arn:<Partition>:ec2:<Region>:*:instance/*'],
      conditions: {
        StringEquals: { [`aws:ResourceTag/${KARPENTER_CLUSTER_TAG}`]: 'owned' },
        StringLike: { 'aws:ResourceTag/karpenter.sh/nodepool': '*' },
        StringEqualsIfExists: { 'aws:RequestTag/eks:eks-cluster-name': '<ClusterName>' },
        'ForAllValues:StringEquals': { 'aws:TagKeys': ['eks:eks-cluster-name', 'karpenter.sh/nodeclaim', 'Name'] },
      },
    },
    {
      sid: 'AllowScopedDeletion',
      actions: ['ec2:TerminateInstances', 'ec2:DeleteLaunchTemplate'],
      resources: ['arn:<Partition>:ec2:<Region>:*:instance/*', 'arn:<Partition>:ec2:<Region>:*:launch-template/*'],
      conditions: {
        StringEquals: { [`aws:ResourceTag/${KARPENTER_CLUSTER_TAG}`]: 'owned' },
        StringLike: { 'aws:ResourceTag/karpenter.sh/nodepool': '*' },
      },
    },
    {
      sid: 'AllowPassingInstanceRole',
      actions: ['iam:PassRole'],
      resources: ['<KarpenterNodeRole.Arn>'],
      conditions: { StringEquals: { 'iam:PassedToService': ['ec2.amazonaws.com', 'ec2.amazonaws.com.cn'] } },
    },
    {
      sid: 'AllowScopedInstanceProfileCreationActions',
      actions: ['iam:CreateInstanceProfile'],
      resources: ['arn:<Partition>:iam::<AccountId>:instance-profile/*'],
      conditions: {
        StringEquals: {
          [`aws:RequestTag/${KARPENTER_CLUSTER_TAG}`]: 'owned',
          'aws:RequestTag/eks:eks-cluster-name': '<ClusterName>',
          'aws:RequestTag/topology.kubernetes.io/region': '<Region>',
        },
        StringLike: { 'aws:RequestTag/karpenter.k8s.aws/ec2nodeclass': '*' },
      },
    },
    {
      sid: 'AllowScopedInstanceProfileTagActions',
      actions: ['iam:TagInstanceProfile'],
      resources: ['arn:<Partition>:iam::<AccountId>:instance-profile/*'],
      conditions: {
        StringEquals: {
          [`aws:ResourceTag/${KARPENTER_CLUSTER_TAG}`]: 'owned',
          'aws:ResourceTag/topology.kubernetes.io/region': '<Region>',
          [`aws:RequestTag/${KARPENTER_CLUSTER_TAG}`]: 'owned',
          'aws:RequestTag/eks:eks-cluster-name': '<ClusterName>',
          'aws:RequestTag/topology.kubernetes.io/region': '<Region>',
        },
        StringLike: {
          'aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass': '*',
          'aws:RequestTag/karpenter.k8s.aws/ec2nodeclass': '*',
        },
      },
    },
    {
      sid: 'AllowScopedInstanceProfileActions',
      actions: ['iam:AddRoleToInstanceProfile', 'iam:RemoveRoleFromInstanceProfile', 'iam:DeleteInstanceProfile'],
      resources: ['arn:<Partition>:iam::<AccountId>:instance-profile/*'],
      conditions: {
        StringEquals: {
          [`aws:ResourceTag/${KARPENTER_CLUSTER_TAG}`]: 'owned',
          'aws:ResourceTag/topology.kubernetes.io/region': '<Region>',
        },
        StringLike: { 'aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass': '*' },
      },
    },
    {
      sid: 'AllowAPIServerEndpointDiscovery',
      actions: ['eks:DescribeCluster'],
      resources: ['arn:<Partition>:eks:<Region>:<AccountId>:cluster/<ClusterName>'],
    },
    {
      sid: 'AllowInterruptionQueueActions',
      actions: ['sqs:DeleteMessage', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'],
      resources: ['<KarpenterInterruptionQueue.Arn>'],
    },
    {
      sid: 'AllowZonalShiftStatusReadOnly',
      actions: ['arc-zonal-shift:GetManagedResource'],
      resources: ['*'],
      conditions: {
        StringEquals: {
          'arc-zonal-shift:ResourceIdentifier': 'arn:<Partition>:eks:<Region>:<AccountId>:cluster/<ClusterName>',
        },
      },
    },
    {
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
      conditions: { StringEquals: { 'aws:RequestedRegion': '<Region>' } },
    },
    {
      sid: 'AllowSSMReadActions',
      actions: ['ssm:GetParameter'],
      resources: ['arn:<Partition>:ssm:<Region>::parameter/aws/service/*'],
    },
    { sid: 'AllowPricingReadActions', actions: ['pricing:GetProducts'], resources: ['*'] },
    { sid: 'AllowUnscopedInstanceProfileListAction', actions: ['iam:ListInstanceProfiles'], resources: ['*'] },
    {
      sid: 'AllowInstanceProfileReadActions',
      actions: ['iam:GetInstanceProfile'],
      resources: ['arn:<Partition>:iam::<AccountId>:instance-profile/*'],
    },
  ],
};

/** The EventBridge rules of the same Karpenter 1.14.1 template that feed the interruption queue. */
export const KARPENTER_INTERRUPTION_EVENTS_REFERENCE: readonly ReferenceEventPattern[] = [
  { source: 'aws.health', detailType: 'AWS Health Event' },
  { source: 'aws.ec2', detailType: 'EC2 Spot Instance Interruption Warning' },
  { source: 'aws.ec2', detailType: 'EC2 Instance Rebalance Recommendation' },
  { source: 'aws.ec2', detailType: 'EC2 Instance State-change Notification' },
  { source: 'aws.ec2', detailType: 'EC2 Capacity Reservation Instance Interruption Warning' },
];

const ELB_CLUSTER_TAG = 'elbv2.k8s.aws/cluster';

/** Target groups and load balancers (upstream writes the `aws` partition literally). */
const ELB_TARGET_GROUPS_AND_LOAD_BALANCERS = [
  'arn:<Partition>:elasticloadbalancing:*:*:targetgroup/*/*',
  'arn:<Partition>:elasticloadbalancing:*:*:loadbalancer/net/*/*',
  'arn:<Partition>:elasticloadbalancing:*:*:loadbalancer/app/*/*',
];

const SECURITY_GROUPS = 'arn:<Partition>:ec2:*:*:security-group/*';

/**
 * AWS Load Balancer Controller v3.2.2 (chart 3.2.2 ships image tag v3.2.2): docs/install/iam_policy.json.
 * Upstream's statements have no Sid; the Sids are ours, in upstream's order.
 */
export const LOAD_BALANCER_CONTROLLER_POLICY_REFERENCE: ControllerPolicyReference = {
  controller: 'AWS Load Balancer Controller',
  chart: { name: 'aws-load-balancer-controller', version: '3.2.2' },
  appVersion: 'v3.2.2',
  source: 'kubernetes-sigs/aws-load-balancer-controller, docs/install/iam_policy.json at tag v3.2.2',
  statements: [
    {
      sid: 'CreateElbServiceLinkedRole',
      actions: ['iam:CreateServiceLinkedRole'],
      resources: ['*'],
      conditions: { StringEquals: { 'iam:AWSServiceName': 'elasticloadbalancing.amazonaws.com' } },
    },
    {
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
    },
    {
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
    },
    {
      sid: 'EditSecurityGroupIngress',
      actions: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress'],
      resources: ['*'],
    },
    { sid: 'CreateSecurityGroups', actions: ['ec2:CreateSecurityGroup'], resources: ['*'] },
    {
      sid: 'TagSecurityGroupsOnCreate',
      actions: ['ec2:CreateTags'],
      resources: [SECURITY_GROUPS],
      conditions: {
        StringEquals: { 'ec2:CreateAction': 'CreateSecurityGroup' },
        Null: { [`aws:RequestTag/${ELB_CLUSTER_TAG}`]: 'false' },
      },
    },
    {
      sid: 'TagOwnSecurityGroups',
      actions: ['ec2:CreateTags', 'ec2:DeleteTags'],
      resources: [SECURITY_GROUPS],
      conditions: {
        Null: { [`aws:RequestTag/${ELB_CLUSTER_TAG}`]: 'true', [`aws:ResourceTag/${ELB_CLUSTER_TAG}`]: 'false' },
      },
    },
    {
      sid: 'ManageOwnSecurityGroups',
      actions: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress', 'ec2:DeleteSecurityGroup'],
      resources: ['*'],
      conditions: { Null: { [`aws:ResourceTag/${ELB_CLUSTER_TAG}`]: 'false' } },
    },
    {
      sid: 'CreateTaggedLoadBalancers',
      actions: ['elasticloadbalancing:CreateLoadBalancer', 'elasticloadbalancing:CreateTargetGroup'],
      resources: ['*'],
      conditions: { Null: { [`aws:RequestTag/${ELB_CLUSTER_TAG}`]: 'false' } },
    },
    {
      sid: 'CreateAndDeleteListenersAndRules',
      actions: [
        'elasticloadbalancing:CreateListener',
        'elasticloadbalancing:DeleteListener',
        'elasticloadbalancing:CreateRule',
        'elasticloadbalancing:DeleteRule',
      ],
      resources: ['*'],
    },
    {
      sid: 'TagOwnLoadBalancers',
      actions: ['elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags'],
      resources: ELB_TARGET_GROUPS_AND_LOAD_BALANCERS,
      conditions: {
        Null: { [`aws:RequestTag/${ELB_CLUSTER_TAG}`]: 'true', [`aws:ResourceTag/${ELB_CLUSTER_TAG}`]: 'false' },
      },
    },
    {
      sid: 'TagListenersAndRules',
      actions: ['elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags'],
      resources: [
        'arn:<Partition>:elasticloadbalancing:*:*:listener/net/*/*/*',
        'arn:<Partition>:elasticloadbalancing:*:*:listener/app/*/*/*',
        'arn:<Partition>:elasticloadbalancing:*:*:listener-rule/net/*/*/*',
        'arn:<Partition>:elasticloadbalancing:*:*:listener-rule/app/*/*/*',
      ],
    },
    {
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
      conditions: { Null: { [`aws:ResourceTag/${ELB_CLUSTER_TAG}`]: 'false' } },
    },
    {
      sid: 'TagLoadBalancersOnCreate',
      actions: ['elasticloadbalancing:AddTags'],
      resources: ELB_TARGET_GROUPS_AND_LOAD_BALANCERS,
      conditions: {
        StringEquals: { 'elasticloadbalancing:CreateAction': ['CreateTargetGroup', 'CreateLoadBalancer'] },
        Null: { [`aws:RequestTag/${ELB_CLUSTER_TAG}`]: 'false' },
      },
    },
    {
      sid: 'RegisterTargets',
      actions: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'],
      resources: ['arn:<Partition>:elasticloadbalancing:*:*:targetgroup/*/*'],
    },
    {
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
    },
  ],
};

/**
 * external-dns 0.22.0 (chart 1.22.0): the policy of its AWS tutorial, with the zone named (see above). Its AWS
 * provider calls exactly these four actions (provider/aws/aws.go at the tag); ListTagsForResources only for a
 * `--aws-zone-tags` filter, which is not set, but upstream grants it and it reads the tags of the one zone only.
 */
export const EXTERNAL_DNS_POLICY_REFERENCE: ControllerPolicyReference = {
  controller: 'external-dns',
  chart: { name: 'external-dns', version: '1.22.0' },
  appVersion: '0.22.0',
  source: 'kubernetes-sigs/external-dns, docs/tutorials/aws.md ("IAM Policy") at tag v0.22.0',
  statements: [
    {
      sid: 'ChangeRecordsOfTheEdgeZone',
      actions: ['route53:ChangeResourceRecordSets', 'route53:ListResourceRecordSets', 'route53:ListTagsForResources'],
      resources: ['arn:<Partition>:route53:::hostedzone/<HostedZoneId>'],
    },
    { sid: 'ListHostedZones', actions: ['route53:ListHostedZones'], resources: ['*'] },
  ],
};

/** Every controller whose policy is hand-written here, by the `ADDON_SERVICE_ACCOUNTS` key of its identity. */
export const CONTROLLER_POLICY_REFERENCES = {
  karpenter: KARPENTER_POLICY_REFERENCE,
  loadBalancerController: LOAD_BALANCER_CONTROLLER_POLICY_REFERENCE,
  externalDns: EXTERNAL_DNS_POLICY_REFERENCE,
} as const;
