import { addComplianceChecks, PlatformClusterChecks } from '@platform/aws-platform';
import { environmentStackIds, loadModel, loadPlatformModel, sharedServicesStackIds } from '@platform/model';
import { CfnResource, Stack, Validations } from 'aws-cdk-lib';
import * as eksV1 from 'aws-cdk-lib/aws-eks';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { buildCloudApp, TODAY_CONTEXT_KEY } from '../../apps/cloud/src/cloud-app';
import { testCdkApp } from '../support/cdk-app';
import { committedTemplates, TEST_TODAY } from './cloud-assembly';

/**
 * The rules whose findings the stacks acknowledge, each with its reason at the construct: cdk-nag's
 * AwsSolutions rules and CloudFormation's own validation (`@aws-cdk/core:validateAgainstDefaultRules`).
 */
const REVIEWED_RULES = [
  'Annotation::AwsSolutions-AEC4',
  'Annotation::AwsSolutions-EC28',
  'Annotation::AwsSolutions-EC29',
  'Annotation::AwsSolutions-IAM4',
  'Annotation::AwsSolutions-IAM5',
  'Annotation::AwsSolutions-L1',
  'Annotation::AwsSolutions-RDS10',
  'Annotation::AwsSolutions-RDS11',
  'Annotation::AwsSolutions-RDS3',
  'Annotation::AwsSolutions-S1',
  'Annotation::AwsSolutions-SMG4',
  'Annotation::AwsSolutions-SQS3',
  'Annotation::PlatformCluster-EKS1',
  'Annotation::PlatformCluster-EKS4',
  'CloudFormation-Validate::F3002',
  'CloudFormation-Validate::F3003',
  'CloudFormation-Validate::W3010',
  'CloudFormation-Validate::W9009',
];

/** Acknowledged rule IDs of every construct below the scope, without the finding detail in brackets. */
function acknowledgementsByRule(scope: IConstruct): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const construct of scope.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const id of Object.keys(entry.data as Record<string, string>)) {
        const rule = id.replace(/\[.*$/, '');
        counts[rule] = (counts[rule] ?? 0) + 1;
      }
    }
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

describe('cdk-nag AwsSolutionsChecks on every stack of the model', () => {
  const model = loadPlatformModel();
  // The acknowledgements are the constructs' own metadata, there before any synthesis runs.
  const app = testCdkApp({ [TODAY_CONTEXT_KEY]: TEST_TODAY });
  buildCloudApp(app, model);

  test('every stack is checked: synth:check synthesizes each with the checks, which fail it on a finding', () => {
    // `pnpm synth:check` (run before jest by the test command) synthesizes with cdk-nag and CloudFormation's
    // validation and fails on an unacknowledged finding (below: an unacknowledged finding fails synthesis); what it
    // wrote is every stack of the model.
    const every = [
      ...sharedServicesStackIds(model),
      ...model.environments.flatMap((environment) => environmentStackIds(model, environment.name)),
    ].sort();
    expect(
      committedTemplates()
        .map(([stack]) => stack)
        .sort(),
    ).toEqual(every);
    expect(
      app.node.children
        .filter((child) => child instanceof Stack)
        .map((stack) => stack.node.id)
        .sort(),
    ).toEqual(every);
  });

  test('every acknowledgement carries a reason a reviewer can read', () => {
    const reasons = app.node
      .findAll()
      .flatMap((construct) => construct.node.metadata)
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.values(entry.data as Record<string, string>));
    expect(reasons.length).toBeGreaterThan(0);
    for (const reason of reasons) expect(reason.length).toBeGreaterThan(40);
  });

  test('acknowledge only rules that were reviewed: a new kind of acknowledgement changes this list', () => {
    // Counts grow with the model (a rule acknowledged per database, per role, …); the kinds do not.
    const unreviewed = Object.keys(acknowledgementsByRule(app)).filter((rule) => !REVIEWED_RULES.includes(rule));
    expect(unreviewed).toEqual([]);
  });
});

test('an unacknowledged finding fails synthesis', () => {
  const app = testCdkApp({ [TODAY_CONTEXT_KEY]: TEST_TODAY });
  addComplianceChecks(app);
  // The first environment alone: the finding is in its stacks, and the others add only time.
  const shipped = loadPlatformModel();
  const [environment] = shipped.environments;
  const model = loadModel({
    ...shipped,
    environments: [environment],
    releases: Object.fromEntries(Object.entries(shipped.releases ?? {}).filter(([name]) => name === environment.name)),
  });
  const { environments } = buildCloudApp(app, model);
  const messaging = environments.get(environment.name)?.messaging;
  if (!messaging) throw new Error(`${environment.name} has no messaging stack`);
  // No dead-letter queue and no TLS-only policy: AwsSolutions-SQS3 and SQS4.
  new sqs.Queue(messaging, 'Careless', { encryption: sqs.QueueEncryption.SQS_MANAGED });
  let message = '';
  try {
    app.synth();
  } catch (error) {
    message = (error as Error).message;
  }
  expect(message).toMatch(
    new RegExp(
      `ERROR .*\\(AwsSolutions\\)\\s+${environment.name}-messaging/Careless/Resource[\\s\\S]*AwsSolutions-SQS3`,
    ),
  );
  expect(message).toContain("Acknowledge with 'AwsSolutions::AwsSolutions-SQS4'");
  // Only the careless queue: the model's own queues have their dead-letter queues and TLS-only policies.
  for (const queue of model.queues) expect(message).not.toContain(`${environment.name}-messaging/${queue.name}`);
});

describe('the platform cluster rules on an AWS::EKS::Cluster', () => {
  const LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'];
  /** Cluster settings that meet every rule: private endpoint, every log type, protected, KMS secrets, standard support. */
  const compliant = (key: kms.IKey): eks.CfnClusterProps => ({
    roleArn: 'arn:aws:iam::111111111111:role/cluster',
    resourcesVpcConfig: {
      subnetIds: ['subnet-1', 'subnet-2'],
      endpointPublicAccess: false,
      endpointPrivateAccess: true,
    },
    logging: { clusterLogging: { enabledTypes: LOG_TYPES.map((type) => ({ type })) } },
    deletionProtection: true,
    encryptionConfig: [{ resources: ['secrets'], provider: { keyArn: key.keyArn } }],
    upgradePolicy: { supportType: 'STANDARD' },
  });
  /** The rules that fire (with their finding) on one cluster written by `write` into a stack of its own. */
  const findings = (write: (stack: Stack, settings: eks.CfnClusterProps) => void) => {
    const app = testCdkApp();
    const stack = new Stack(app, 'bare', { env: { account: '111111111111', region: 'us-east-1' } });
    write(stack, compliant(new kms.Key(stack, 'Key')));
    return new PlatformClusterChecks(app)
      .validateScope(app)
      .violations.map((violation) => violation.ruleName)
      .sort();
  };
  const withSettings = (change: (settings: eks.CfnClusterProps) => eks.CfnClusterProps) =>
    findings((stack, settings) => new eks.CfnCluster(stack, 'Cluster', change(settings)));
  const vpcWith = (settings: eks.CfnClusterProps, vpc: Partial<eks.CfnCluster.ResourcesVpcConfigProperty>) => ({
    ...settings,
    resourcesVpcConfig: { ...(settings.resourcesVpcConfig as eks.CfnCluster.ResourcesVpcConfigProperty), ...vpc },
  });

  test('a cluster that meets every rule has no finding', () => {
    expect(withSettings((settings) => settings)).toEqual([]);
  });

  test.each([
    [
      'EKS1 alone: a public endpoint limited to known CIDRs',
      (s: eks.CfnClusterProps) => vpcWith(s, { endpointPublicAccess: true, publicAccessCidrs: ['203.0.113.0/24'] }),
      ['PlatformCluster-EKS1'],
    ],
    [
      'EKS1 and EKS2: a public endpoint open to any address',
      (s: eks.CfnClusterProps) => vpcWith(s, { endpointPublicAccess: true, publicAccessCidrs: ['0.0.0.0/0'] }),
      ['PlatformCluster-EKS1', 'PlatformCluster-EKS2'],
    ],
    [
      'EKS1 and EKS2: no endpoint setting, which EKS makes public to any address',
      (s: eks.CfnClusterProps) => vpcWith(s, { endpointPublicAccess: undefined }),
      ['PlatformCluster-EKS1', 'PlatformCluster-EKS2'],
    ],
    [
      'EKS3, naming each missing log type',
      (s: eks.CfnClusterProps) => ({
        ...s,
        logging: {
          clusterLogging: { enabledTypes: [{ type: 'api' }, { type: 'authenticator' }, { type: 'scheduler' }] },
        },
      }),
      ['PlatformCluster-EKS3[LogExport::audit]', 'PlatformCluster-EKS3[LogExport::controllerManager]'],
    ],
    [
      'EKS3 for every log type: no logging',
      (s: eks.CfnClusterProps) => ({ ...s, logging: undefined }),
      LOG_TYPES.map((type) => `PlatformCluster-EKS3[LogExport::${type}]`),
    ],
    [
      'EKS4: deletion protection off',
      (s: eks.CfnClusterProps) => ({ ...s, deletionProtection: false }),
      ['PlatformCluster-EKS4'],
    ],
    [
      'EKS4: deletion protection unset',
      (s: eks.CfnClusterProps) => ({ ...s, deletionProtection: undefined }),
      ['PlatformCluster-EKS4'],
    ],
    [
      'EKS5: no encryption',
      (s: eks.CfnClusterProps) => ({ ...s, encryptionConfig: undefined }),
      ['PlatformCluster-EKS5'],
    ],
    [
      'EKS5: secrets without a key',
      (s: eks.CfnClusterProps) => ({ ...s, encryptionConfig: [{ resources: ['secrets'] }] }),
      ['PlatformCluster-EKS5'],
    ],
    [
      'EKS6: extended support',
      (s: eks.CfnClusterProps) => ({ ...s, upgradePolicy: { supportType: 'EXTENDED' } }),
      ['PlatformCluster-EKS6'],
    ],
    [
      'EKS6: no upgrade policy',
      (s: eks.CfnClusterProps) => ({ ...s, upgradePolicy: undefined }),
      ['PlatformCluster-EKS6'],
    ],
  ])('%s', (_case, change, expected) => {
    expect(withSettings(change)).toEqual([...expected].sort());
  });

  test('settings made after the resource, as the platform cluster makes them, are what the rules read', () => {
    const rules = findings((stack, settings) => {
      const cluster = new eks.CfnCluster(stack, 'Cluster', { ...settings, deletionProtection: undefined });
      cluster.deletionProtection = false;
      cluster.upgradePolicy = { supportType: 'EXTENDED' };
    });
    expect(rules).toEqual(['PlatformCluster-EKS4', 'PlatformCluster-EKS6']);
  });

  test("aws-eks's CfnCluster is read alike; a resource of the type that is no CfnCluster is a finding of its own", () => {
    expect(findings((stack, settings) => new eksV1.CfnCluster(stack, 'Cluster', settings))).toEqual([]);
    expect(
      findings((stack, settings) => new eksV1.CfnCluster(stack, 'Cluster', { ...settings, deletionProtection: false })),
    ).toEqual(['PlatformCluster-EKS4']);
    expect(
      findings((stack) => new CfnResource(stack, 'Cluster', { type: 'AWS::EKS::Cluster', properties: {} })),
    ).toEqual(['PlatformCluster-EKS0']);
  });
});
