import { MessagingStack } from '@platform/aws-platform';
import { loadModel, type PlatformModel } from '@platform/model';
import { Match } from 'aws-cdk-lib/assertions';
import { testCdkApp } from '../support/cdk-app';
import { freeName } from '../support/model-facts';
import { alarmTopicUses, publishProblems, type StackFacts, subscriptionsOf } from './alarm-delivery';
import {
  environmentOf,
  MODEL_ENVIRONMENTS,
  resourcesOfType,
  type SynthesizedCloud,
  synthesizeCloud,
} from './cloud-assembly';

let synthesized: SynthesizedCloud;
beforeAll(() => {
  synthesized = synthesizeCloud();
});

describe.each(MODEL_ENVIRONMENTS)('%s messaging', (name) => {
  const template = () => synthesized.template(`${name}-messaging`);
  const naming = () => synthesized.naming(name);
  /** The logical IDs of a queue of the model and of its dead-letter queue. */
  const queueIds = (queue: string) => {
    const queues = resourcesOfType(template(), 'AWS::SQS::Queue');
    const idOf = (queueName: string) => Object.keys(queues).find((id) => queues[id].Properties.QueueName === queueName);
    return { queues, main: idOf(naming().queueName(queue)), dlq: idOf(naming().deadLetterQueueName(queue)) };
  };

  test('each queue redrives to its dead-letter queue after the model receive count; both keep what the model says', () => {
    for (const queue of synthesized.model.queues) {
      const { queues, main, dlq } = queueIds(queue.name);
      expect(main && dlq).toBeTruthy();
      expect(queues[String(main)].Properties.RedrivePolicy).toEqual({
        deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] },
        maxReceiveCount: queue.maxReceiveCount,
      });
      expect(queues[String(main)].Properties.VisibilityTimeout).toBe(queue.visibilityTimeoutSeconds);
      expect(queues[String(dlq)].Properties.MessageRetentionPeriod).toBe(queue.dlqRetentionDays * 24 * 3600);
    }
    // Besides the model's queues and their dead-letter queues, the messaging stack holds no queue.
    expect(Object.keys(resourcesOfType(template(), 'AWS::SQS::Queue'))).toHaveLength(
      2 * synthesized.model.queues.length,
    );
  });

  test('only its main queue may redrive into a dead-letter queue', () => {
    for (const queue of synthesized.model.queues) {
      const { queues, dlq } = queueIds(queue.name);
      const policy = queues[String(dlq)].Properties.RedriveAllowPolicy as {
        redrivePermission: string;
        sourceQueueArns: unknown[];
      };
      expect(policy.redrivePermission).toBe('byQueue');
      expect(JSON.stringify(policy.sourceQueueArns)).toContain(`:${naming().queueName(queue.name)}"`);
      expect(policy.sourceQueueArns).toHaveLength(1);
    }
  });

  test('every queue is encrypted and refuses requests without TLS', () => {
    const queues = resourcesOfType(template(), 'AWS::SQS::Queue');
    for (const queue of Object.values(queues)) expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    const policies = Object.values(resourcesOfType(template(), 'AWS::SQS::QueuePolicy'));
    expect(policies).toHaveLength(Object.keys(queues).length);
    for (const { Properties } of policies) {
      expect(Properties.PolicyDocument).toMatchObject({
        Statement: [
          expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ],
      });
    }
  });

  test('alarms on a non-empty DLQ and on the oldest message age of the model notify the model topic', () => {
    const topics = resourcesOfType(template(), 'AWS::SNS::Topic');
    const [topicId] = Object.keys(topics);
    expect(topics[topicId].Properties).toMatchObject({
      TopicName: synthesized.environment(name).alarmTopicName,
      KmsMasterKeyId: expect.anything(),
    });
    for (const queue of synthesized.model.queues) {
      const { main, dlq } = queueIds(queue.name);
      // A message in the DLQ alarms within the minute; the age must stay too high for five minutes.
      template().hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: topicId }],
        Dimensions: [{ Name: 'QueueName', Value: Match.objectLike({ 'Fn::GetAtt': [dlq, 'QueueName'] }) }],
      });
      template().hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateAgeOfOldestMessage',
        Threshold: queue.maxMessageAgeSeconds,
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: 5,
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: topicId }],
        Dimensions: [{ Name: 'QueueName', Value: Match.objectLike({ 'Fn::GetAtt': [main, 'QueueName'] }) }],
      });
    }
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
      queues: [
        ...shipped.queues,
        {
          name: freeName('invoices', shipped.queues),
          maxReceiveCount: 5,
          visibilityTimeoutSeconds: 30,
          dlqRetentionDays: 7,
          maxMessageAgeSeconds: 300,
        },
      ],
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
        stackName: `${model.organization.name}-${environment.name}-messaging`,
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
    const [environment] = synthesized.model.environments;
    const messaging = synthesized.template(`${environment.name}-messaging`).toJSON();
    const artifact = synthesized.assembly.getStackArtifact(`${environment.name}-messaging`);
    const facts = { stackName: artifact.stackName, account: environment.account, region: environment.region };
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
