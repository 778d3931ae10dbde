import { loadModel, type PlatformModel, queueStackId } from '@platform/model';
import { Match } from 'aws-cdk-lib/assertions';
import { buildCloudApp } from '../../apps/cloud/src/cloud-app';
import { testCdkApp } from '../support/cdk-app';
import { freeName } from '../support/model-facts';
import { alarmTopicUses, publishProblems, type StackFacts, subscriptionsOf, topicByArn } from './alarm-delivery';
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
  /** The template of a queue's own stack. */
  const queueTemplate = (queue: string) => synthesized.template(queueStackId(name, queue));
  /** The logical IDs of a queue of the model and of its dead-letter queue, in the queue's stack. */
  const queueIds = (queue: string) => {
    const queues = resourcesOfType(queueTemplate(queue), 'AWS::SQS::Queue');
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
    // Besides the queue and its dead-letter queue, a queue's stack holds no queue; the messaging stack none.
    for (const queue of synthesized.model.queues) {
      expect(Object.keys(resourcesOfType(queueTemplate(queue.name), 'AWS::SQS::Queue'))).toHaveLength(2);
    }
    expect(Object.keys(resourcesOfType(template(), 'AWS::SQS::Queue'))).toHaveLength(0);
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
    for (const { name: queueName } of synthesized.model.queues) {
      const queues = resourcesOfType(queueTemplate(queueName), 'AWS::SQS::Queue');
      for (const queue of Object.values(queues)) expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
      const policies = Object.values(resourcesOfType(queueTemplate(queueName), 'AWS::SQS::QueuePolicy'));
      expect(policies).toHaveLength(Object.keys(queues).length);
      for (const { Properties } of policies) {
        expect(Properties.PolicyDocument).toMatchObject({
          Statement: [
            expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ],
        });
      }
    }
  });

  test('alarms on a non-empty DLQ and on the oldest message age of the model notify the model topic', () => {
    const topics = resourcesOfType(template(), 'AWS::SNS::Topic');
    const [topicId] = Object.keys(topics);
    expect(topics[topicId].Properties).toMatchObject({
      TopicName: synthesized.environment(name).alarmTopicName,
      KmsMasterKeyId: expect.anything(),
    });
    const environment = synthesized.environment(name);
    const topicArn = Match.stringLikeRegexp(
      `^arn:[a-z-]+:sns:${environment.region}:${environment.account}:${environment.alarmTopicName}$`,
    );
    for (const queue of synthesized.model.queues) {
      const { main, dlq } = queueIds(queue.name);
      // A message in the DLQ alarms within the minute; the age must stay too high for five minutes. The action is
      // the topic's ARN by name (the messaging stack's topic: the delivery check below resolves it).
      queueTemplate(queue.name).hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
        AlarmActions: [topicArn],
        Dimensions: [{ Name: 'QueueName', Value: Match.objectLike({ 'Fn::GetAtt': [dlq, 'QueueName'] }) }],
      });
      queueTemplate(queue.name).hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateAgeOfOldestMessage',
        Threshold: queue.maxMessageAgeSeconds,
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: 5,
        TreatMissingData: 'notBreaching',
        AlarmActions: [topicArn],
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
      // A topic of another stack (named by ARN) is judged in the template that holds it.
      const found = use.topicArn === undefined ? undefined : topicByArn(stacks, use.topicArn);
      if (use.topicArn !== undefined) {
        expect({ alarm: `${facts.stackName}/${use.alarm}`, topic: found?.topic }).toEqual({
          alarm: `${facts.stackName}/${use.alarm}`,
          topic: expect.any(String),
        });
      }
      const holder = found ? found.stack : { facts, template, env };
      const topic = found ? found.topic : use.topic;
      expect({
        stack: facts.stackName,
        problems: publishProblems(holder.template, { ...use, topic }, holder.facts),
      }).toEqual({ stack: facts.stackName, problems: [] });
      if (!holder.env) throw new Error(`stack ${holder.facts.stackName} has a topic but belongs to no environment`);
      const expected = environmentOf(model, holder.env).alerting.alarmSubscriptions;
      expect(subscriptionsOf(holder.template, topic)).toEqual(
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
    buildCloudApp(app, model);
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
    const [queue] = synthesized.model.queues;
    const messaging = synthesized.template(`${environment.name}-messaging`).toJSON();
    const artifact = synthesized.assembly.getStackArtifact(`${environment.name}-messaging`);
    const facts = { stackName: artifact.stackName, account: environment.account, region: environment.region };
    const queueArtifact = synthesized.assembly.getStackArtifact(queueStackId(environment.name, queue.name));
    const [byArn] = alarmTopicUses(queueArtifact.template, { ...facts, stackName: queueArtifact.stackName }).uses;
    const found = topicByArn([{ facts, template: messaging }], String(byArn.topicArn));
    expect(found).toBeDefined();
    const use = { ...byArn, topic: String(found?.topic) };
    const denyOnly = structuredClone(messaging);
    // biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON has no static shape
    for (const resource of Object.values(denyOnly.Resources as Record<string, Record<string, any>>)) {
      if (resource.Type === 'AWS::SNS::TopicPolicy') {
        resource.Properties.PolicyDocument.Statement = resource.Properties.PolicyDocument.Statement.filter(
          (s: { Effect: string }) => s.Effect === 'Deny',
        );
      }
    }
    expect(publishProblems(messaging, use, facts)).toEqual([]);
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
