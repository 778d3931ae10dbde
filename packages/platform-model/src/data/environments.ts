import type { EnvironmentInput } from '../schema';

/**
 * The environments. The accounts (111111111111, 222222222222, 333333333333), the admin role, the
 * Git repository, the domain, the certificate and the hosted zone are placeholders: replace them with yours, and
 * commit the availability-zone context of each account/region in cdk.json.
 */
const region = 'us-east-1';
const availabilityZones = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
const subnetPrefixes = { public: 24, private: 19, isolated: 24 };
const gitopsRepoUrl = 'https://github.com/acme/platform.git';
const tags = { owner: 'platform-team', costCenter: 'cc-1234' };
/** Secrets (below `<org>/<env>/`) the on-call team fills with the receivers' credentials; Git holds only the names. */
const ticketWebhook = { urlSecret: 'monitoring/alertmanager/ticket-webhook-url' };
const pagerDuty = { routingKeySecret: 'monitoring/alertmanager/pagerduty-routing-key' };
const deadMansSwitch = { urlSecret: 'monitoring/alertmanager/heartbeat-url' };
/**
 * Who may assume the people roles of an environment's account: its IAM Identity Center roles (permission sets), by
 * ArnLike pattern since their names end in a random suffix. The permission sets are placeholders: name yours.
 */
const ssoRoles = (account: string, permissionSet: string) =>
  `arn:aws:iam::${account}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_${permissionSet}_*`;
const peopleAccess = (account: string) => ({
  teams: { commerce: [ssoRoles(account, 'CommerceEngineers')], identity: [ssoRoles(account, 'IdentityEngineers')] },
  readOnly: [ssoRoles(account, 'Engineers')],
});

export const environments: EnvironmentInput[] = [
  {
    name: 'dev',
    account: '111111111111',
    region,
    availabilityZones,
    network: {
      vpcCidr: '10.10.0.0/16',
      subnetPrefixes,
      natGateways: 'single',
      interfaceEndpoints: false,
      flowLogRetentionDays: 30,
    },
    cluster: {
      kubernetesVersion: '1.35',
      endpointAccess: { mode: 'public-and-private', publicCidrs: ['203.0.113.0/24'] },
      adminRoleArn: 'arn:aws:iam::111111111111:role/PlatformAdmin',
      deletionProtection: false,
      nodeGroups: {
        system: { instanceTypes: ['m7g.large'], minSize: 2, desiredSize: 2, maxSize: 3 },
        general: { instanceTypes: ['m7g.large'], minSize: 1, desiredSize: 2, maxSize: 4 },
        spot: { instanceTypes: ['m7g.large', 'm6g.large', 'c7g.large'], minSize: 0, desiredSize: 0, maxSize: 4 },
      },
      karpenterLimits: { cpu: 64, memoryGiB: 256 },
      karpenterAmiRelease: 'v20260903',
    },
    database: {
      instanceClass: 'db.t4g.medium',
      allocatedStorageGiB: 20,
      maxAllocatedStorageGiB: 100,
      multiAz: false,
      deletionProtection: false,
      backupRetentionDays: 7,
    },
    cache: { nodeType: 'cache.t4g.small', replicas: 0, snapshotRetentionDays: 1 },
    removalPolicy: 'snapshot',
    policyMode: 'Audit',
    gitops: { repoUrl: gitopsRepoUrl },
    edge: {
      domain: 'dev.acme.example.com',
      certificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000001',
      hostedZone: { id: 'Z01111111111111111111', name: 'dev.acme.example.com' },
    },
    alarmTopicName: 'acme-dev-alarms',
    alerting: {
      alarmSubscriptions: [{ protocol: 'email', endpoint: 'platform-team@acme.example.com' }],
      // No pager: critical alerts of dev open tickets.
      receivers: { ticketWebhook, deadMansSwitch },
    },
    access: peopleAccess('111111111111'),
    tags,
  },
  {
    name: 'staging',
    account: '222222222222',
    region,
    availabilityZones,
    network: {
      vpcCidr: '10.20.0.0/16',
      subnetPrefixes,
      natGateways: 'one-per-az',
      interfaceEndpoints: true,
      flowLogRetentionDays: 90,
    },
    cluster: {
      kubernetesVersion: '1.35',
      endpointAccess: { mode: 'public-and-private', publicCidrs: ['203.0.113.0/24'] },
      adminRoleArn: 'arn:aws:iam::222222222222:role/PlatformAdmin',
      deletionProtection: false,
      nodeGroups: {
        system: { instanceTypes: ['m7g.large'], minSize: 2, desiredSize: 3, maxSize: 3 },
        general: { instanceTypes: ['m7g.xlarge'], minSize: 2, desiredSize: 3, maxSize: 6 },
        spot: { instanceTypes: ['m7g.xlarge', 'm6g.xlarge', 'c7g.xlarge'], minSize: 0, desiredSize: 1, maxSize: 6 },
      },
      karpenterLimits: { cpu: 128, memoryGiB: 512 },
      karpenterAmiRelease: 'v20260903',
    },
    database: {
      instanceClass: 'db.r7g.large',
      allocatedStorageGiB: 50,
      maxAllocatedStorageGiB: 200,
      multiAz: true,
      deletionProtection: false,
      backupRetentionDays: 7,
    },
    cache: { nodeType: 'cache.r7g.large', replicas: 1, snapshotRetentionDays: 3 },
    removalPolicy: 'snapshot',
    policyMode: 'Audit',
    gitops: { repoUrl: gitopsRepoUrl },
    edge: {
      domain: 'staging.acme.example.com',
      certificateArn: 'arn:aws:acm:us-east-1:222222222222:certificate/00000000-0000-0000-0000-000000000002',
      hostedZone: { id: 'Z02222222222222222222', name: 'staging.acme.example.com' },
    },
    alarmTopicName: 'acme-staging-alarms',
    alerting: {
      alarmSubscriptions: [{ protocol: 'email', endpoint: 'platform-team@acme.example.com' }],
      receivers: { pagerDuty, ticketWebhook, deadMansSwitch },
    },
    access: peopleAccess('222222222222'),
    tags,
  },
  {
    name: 'prod',
    account: '333333333333',
    region,
    availabilityZones,
    network: {
      vpcCidr: '10.30.0.0/16',
      subnetPrefixes,
      natGateways: 'one-per-az',
      interfaceEndpoints: true,
      flowLogRetentionDays: 365,
    },
    cluster: {
      kubernetesVersion: '1.35',
      endpointAccess: { mode: 'private' },
      adminRoleArn: 'arn:aws:iam::333333333333:role/PlatformAdmin',
      deletionProtection: true,
      nodeGroups: {
        system: { instanceTypes: ['m7g.xlarge'], minSize: 3, desiredSize: 3, maxSize: 6 },
        general: { instanceTypes: ['m7g.2xlarge'], minSize: 3, desiredSize: 3, maxSize: 12 },
        spot: {
          instanceTypes: ['m7g.2xlarge', 'm6g.2xlarge', 'c7g.2xlarge', 'r7g.xlarge'],
          minSize: 0,
          desiredSize: 2,
          maxSize: 12,
        },
      },
      karpenterLimits: { cpu: 512, memoryGiB: 2048 },
      karpenterAmiRelease: 'v20260903',
    },
    database: {
      instanceClass: 'db.r7g.xlarge',
      allocatedStorageGiB: 100,
      maxAllocatedStorageGiB: 1000,
      multiAz: true,
      deletionProtection: true,
      backupRetentionDays: 30,
      backupReplication: {
        region: 'us-west-2',
        kmsKeyArn: 'arn:aws:kms:us-west-2:333333333333:key/00000000-0000-0000-0000-000000000004',
      },
    },
    cache: { nodeType: 'cache.r7g.large', replicas: 2, snapshotRetentionDays: 7 },
    removalPolicy: 'retain',
    policyMode: 'Deny',
    gitops: { repoUrl: gitopsRepoUrl },
    edge: {
      domain: 'acme.example.com',
      certificateArn: 'arn:aws:acm:us-east-1:333333333333:certificate/00000000-0000-0000-0000-000000000003',
      hostedZone: { id: 'Z03333333333333333333', name: 'acme.example.com' },
    },
    alarmTopicName: 'acme-prod-alarms',
    alerting: {
      alarmSubscriptions: [
        { protocol: 'email', endpoint: 'platform-oncall@acme.example.com' },
        { protocol: 'email', endpoint: 'platform-team@acme.example.com' },
      ],
      receivers: { pagerDuty, ticketWebhook, deadMansSwitch },
    },
    access: {
      ...peopleAccess('333333333333'),
      // The API endpoint is private: people reach it through the break-glass instance.
      breakGlassBastion: true,
    },
    tags,
  },
];
