import { MessagingStack } from '@platform/aws-platform';
import { loadModel, type PlatformModel } from '@platform/model';
import { Match } from 'aws-cdk-lib/assertions';
import { testCdkApp } from '../support/cdk-app';
import { alarmTopicUses, publishProblems, type StackFacts, subscriptionsOf } from './alarm-delivery';
import {
  environmentOf,
  resourcesOfType,
  SHIPPED_ENVIRONMENTS,
  type SynthesizedCloud,
  synthesizeCloud,
} from './cloud-assembly';

let synthesized: SynthesizedCloud;
beforeAll(() => {
  synthesized = synthesizeCloud();
});

describe.each(SHIPPED_ENVIRONMENTS)('%s messaging', (name) => {
  const template = () => synthesized.template(`${name}-messaging`);
  const naming = () => synthesized.naming(name);
  const queueIds = () => {
    const queues = resourcesOfType(template(), 'AWS::SQS::Queue');
    const idOf = (queueName: string) => Object.keys(queues).find((id) => queues[id].Properties.QueueName === queueName);
    return { queues, main: idOf(naming().queueName('orders')), dlq: idOf(naming().deadLetterQueueName('orders')) };
  };

  test('orders redrives to its dead-letter queue after the model receive count; the DLQ keeps messages 14 days', () => {
    const { queues, main, dlq } = queueIds();
    expect(main && dlq).toBeTruthy();
    expect(queues[String(main)].Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] },
      maxReceiveCount: 3,
    });
    expect(queues[String(dlq)].Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
  });

  test('only the main queue may redrive into the dead-letter queue', () => {
    const { queues, dlq } = queueIds();
    const policy = queues[String(dlq)].Properties.RedriveAllowPolicy as {
      redrivePermission: string;
      sourceQueueArns: unknown[];
    };
    expect(policy.redrivePermission).toBe('byQueue');
    expect(JSON.stringify(policy.sourceQueueArns)).toContain(`:${naming().queueName('orders')}"`);
    expect(policy.sourceQueueArns).toHaveLength(1);
  });

  test('both queues are encrypted and refuse requests without TLS', () => {
    const { queues } = queueIds();
    for (const queue of Object.values(queues)) expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    const policies = Object.values(resourcesOfType(template(), 'AWS::SQS::QueuePolicy'));
    expect(policies).toHaveLength(2);
    for (const { Properties } of policies) {
      expect(Properties.PolicyDocument).toMatchObject({
        Statement: [
          expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ],
      });
    }
  });

  test('alarms on a non-empty DLQ and on the oldest message age notify the model topic', () => {
    const topics = resourcesOfType(template(), 'AWS::SNS::Topic');
    const [topicId] = Object.keys(topics);
    expect(topics[topicId].Properties).toMatchObject({
      TopicName: synthesized.environment(name).alarmTopicName,
      KmsMasterKeyId: expect.anything(),
    });
    template().hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: topicId }],
      Dimensions: [{ Name: 'QueueName', Value: Match.objectLike({ 'Fn::GetAtt': [queueIds().dlq, 'QueueName'] }) }],
    });
    template().hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateAgeOfOldestMessage',
      Threshold: 600,
      AlarmActions: [{ Ref: topicId }],
      Dimensions: [{ Name: 'QueueName', Value: Match.objectLike({ 'Fn::GetAtt': [queueIds().main, 'QueueName'] }) }],
    });
  });

  test("each Alertmanager receiver the model configures gets an empty secret under the model's name", () => {
    const environment = synthesized.environment(name);
    const expected = Object.values(environment.alerting.receivers).flatMap((receiver) =>
      Object.values(receiver).map((path) => `${synthesized.model.organization.name}/${name}/${path}`),
    );
    const secrets = Object.values(resourcesOfType(template(), 'AWS::SecretsManager::Secret')).filter((secret) =>
      String(secret.Properties.Name).includes('/alertmanager/'),
    );
    expect(secrets.map((secret) => secret.Properties.Name).sort()).toEqual([...expected].sort());
    for (const secret of secrets) {
      // No value: neither a placeholder nor a generated string that could pass for a routing key.
      expect(secret.Properties.SecretString).toBeUndefined();
      expect(secret.Properties.GenerateSecretString).toBeUndefined();
      // External Secrets may read below the environment's prefix only.
      expect(String(secret.Properties.Name).startsWith(naming().secretPrefix)).toBe(true);
    }
  });
});

/** Every stack of an assembly with the facts the checks need, and the model environment it belongs to. */
function stacksOf(
  synthesized: SynthesizedCloud,
): { facts: StackFacts; template: Record<string, unknown>; env?: string }[] {
  return synthesized.assembly.stacks.map((stack) => ({
    facts: { stackName: stack.stackName, account: stack.environment.account, region: stack.environment.region },
    template: stack.template,
    env: synthesized.model.environments.find((e) => stack.id.startsWith(`${e.name}-`))?.name,
  }));
}

/**
 * Guard: every SNS topic an alarm notifies lets CloudWatch publish for that alarm, and delivers to exactly the
 * model's subscriptions, in every stack.
 */
function checkAlarmDelivery(model: PlatformModel, stacks: ReturnType<typeof stacksOf>): void {
  let topicsChecked = 0;
  for (const { facts, template, env } of stacks) {
    const { uses, problems } = alarmTopicUses(template, facts);
    expect({ stack: facts.stackName, problems }).toEqual({ stack: facts.stackName, problems: [] });
    for (const use of uses) {
      expect({ stack: facts.stackName, problems: publishProblems(template, use, facts) }).toEqual({
        stack: facts.stackName,
        problems: [],
      });
    }
    for (const topic of new Set(uses.map((use) => use.topic))) {
      if (!env) throw new Error(`stack ${facts.stackName} has alarms but belongs to no environment of the model`);
      const expected = environmentOf(model, env).alerting.alarmSubscriptions;
      expect(subscriptionsOf(template, topic)).toEqual(
        [...expected].sort((a, b) => `${a.protocol} ${a.endpoint}`.localeCompare(`${b.protocol} ${b.endpoint}`)),
      );
      expect(expected.length).toBeGreaterThan(0);
      topicsChecked += 1;
    }
  }
  expect(topicsChecked).toBeGreaterThan(0);
}

describe('alarm topics', () => {
  test('in every stack of the shipped model, CloudWatch may publish every alarm and the topic has the model subscribers', () => {
    checkAlarmDelivery(synthesized.model, stacksOf(synthesized));
  });

  test('so they do for another valid model: more queues, HTTPS and e-mail subscribers', () => {
    const shipped = synthesized.model;
    const model = loadModel({
      ...structuredClone(shipped),
      queues: [...shipped.queues, { ...shipped.queues[0], name: 'invoices' }],
      environments: shipped.environments.map((environment) => ({
        ...structuredClone(environment),
        alerting: {
          ...environment.alerting,
          alarmSubscriptions: [
            { protocol: 'https', endpoint: 'https://alerts.example.org/sns' },
            { protocol: 'email', endpoint: `oncall-${environment.name}@example.org` },
          ],
        },
      })),
    });
    const app = testCdkApp();
    for (const environment of model.environments) {
      new MessagingStack(app, `${environment.name}-messaging`, {
        env: { account: environment.account, region: environment.region },
        stackName: `acme-${environment.name}-messaging`,
        organization: model.organization,
        environment,
        queues: model.queues,
      });
    }
    const assembly = app.synth();
    checkAlarmDelivery(
      model,
      assembly.stacks.map((stack) => ({
        facts: { stackName: stack.stackName, account: stack.environment.account, region: stack.environment.region },
        template: stack.template,
        env: model.environments.find((e) => stack.id.startsWith(`${e.name}-`))?.name,
      })),
    );
  });

  test('the check fails for a topic whose policy only denies, and for an alarm named outside the allowed prefix', () => {
    const messaging = synthesized.template('dev-messaging').toJSON();
    const facts = { stackName: 'acme-dev-messaging', account: '111111111111', region: 'us-east-1' };
    const denyOnly = structuredClone(messaging);
    // biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON has no static shape
    for (const resource of Object.values(denyOnly.Resources as Record<string, Record<string, any>>)) {
      if (resource.Type === 'AWS::SNS::TopicPolicy') {
        resource.Properties.PolicyDocument.Statement = resource.Properties.PolicyDocument.Statement.filter(
          (s: { Effect: string }) => s.Effect === 'Deny',
        );
      }
    }
    const [use] = alarmTopicUses(denyOnly, facts).uses;
    expect(publishProblems(denyOnly, use, facts)).toEqual([expect.stringMatching(/no statement .* allows/)]);
    expect(
      publishProblems(
        messaging,
        { ...use, alarmArn: `${use.alarmArn.replace(/alarm:.*/, 'alarm:other-name')}` },
        facts,
      ),
    ).toEqual([expect.stringMatching(/no statement .* allows/)]);
  });
});
