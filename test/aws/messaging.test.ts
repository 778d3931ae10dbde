import { ALERTMANAGER_RECEIVER_KEYS } from '@platform/model';
import { Match } from 'aws-cdk-lib/assertions';
import { resourcesOfType, SHIPPED_ENVIRONMENTS, type SynthesizedCloud, synthesizeCloud } from './cloud-assembly';

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

  test('the alert receivers get a secret under the contract name whose values the on-call team sets', () => {
    const secrets = Object.values(resourcesOfType(template(), 'AWS::SecretsManager::Secret'));
    const receivers = secrets.find((secret) => secret.Properties.Name === naming().alertmanagerReceiversSecretName);
    expect(receivers?.Properties.GenerateSecretString).toEqual({
      SecretStringTemplate: JSON.stringify({ [ALERTMANAGER_RECEIVER_KEYS.ticketWebhookUrl]: '' }),
      GenerateStringKey: ALERTMANAGER_RECEIVER_KEYS.pagerDutyRoutingKey,
    });
    expect(receivers?.Properties.SecretString).toBeUndefined();
  });
});
