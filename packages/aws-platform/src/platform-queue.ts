import type { EnvironmentNaming, Queue } from '@platform/model';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { skipCheckovSqsManagedEncryption } from './checkov-skips';
import { type AlarmNotification, PlatformAlarm } from './platform-alarm';
import { queueArn } from './resource-arns';

export interface PlatformQueueProps {
  readonly queue: Queue;
  readonly naming: EnvironmentNaming;
  /** Where the queue's alarms notify, and the runbooks they link. */
  readonly notification: AlarmNotification;
  /**
   * What a stack deletion or the queue's removal from the model does to both queues and their TLS-only policies:
   * RETAIN keeps them with their messages; SQS has no snapshot, so DESTROY loses the messages.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A catalog queue with its dead-letter queue: encrypted, TLS only, redrive after the model's
 * receive count, and alarms when a message dead-letters or the oldest message grows too old.
 */
export class PlatformQueue extends Construct {
  public readonly queue: sqs.Queue;
  public readonly deadLetterQueue: sqs.Queue;

  public constructor(scope: Construct, id: string, props: PlatformQueueProps) {
    super(scope, id);
    const { queue, naming } = props;
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      queueName: naming.deadLetterQueueName(queue.name),
      retentionPeriod: Duration.days(queue.dlqRetentionDays),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      queueName: naming.queueName(queue.name),
      visibilityTimeout: Duration.seconds(queue.visibilityTimeoutSeconds),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: queue.maxReceiveCount },
    });
    for (const encrypted of [this.queue, this.deadLetterQueue]) {
      skipCheckovSqsManagedEncryption(encrypted, "the services' producer and consumer roles");
      encrypted.applyRemovalPolicy(props.removalPolicy ?? RemovalPolicy.DESTROY);
      (encrypted.node.tryFindChild('Policy')?.node.defaultChild as sqs.CfnQueuePolicy | undefined)?.applyRemovalPolicy(
        props.removalPolicy ?? RemovalPolicy.DESTROY,
      );
    }
    // Only the main queue may move messages into the dead-letter queue; its ARN by name, as the
    // main queue already refers to the dead-letter queue.
    const dlqResource = this.deadLetterQueue.node.defaultChild as sqs.CfnQueue;
    dlqResource.redriveAllowPolicy = {
      redrivePermission: 'byQueue',
      sourceQueueArns: [queueArn(this, naming.queueName(queue.name))],
    };

    // The dead-letter queue is empty nearly always, and SQS stops publishing the metrics of a queue that has been
    // idle for six hours: no data is no dead letter (notBreaching).
    new PlatformAlarm(this, 'DeadLetterAlarm', {
      kind: 'QueueDeadLetters',
      notification: props.notification,
      alarmName: `${naming.deadLetterQueueName(queue.name)}-not-empty`,
      alarmDescription: `Messages of ${naming.queueName(queue.name)} failed ${queue.maxReceiveCount} times and dead-lettered.`,
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    new PlatformAlarm(this, 'OldestMessageAlarm', {
      kind: 'QueueOldestMessageAge',
      notification: props.notification,
      alarmName: `${naming.queueName(queue.name)}-oldest-message-age`,
      alarmDescription: `The oldest message of ${naming.queueName(queue.name)} waits longer than ${queue.maxMessageAgeSeconds} s for 5 minutes.`,
      metric: this.queue.metricApproximateAgeOfOldestMessage({
        period: Duration.minutes(1),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: queue.maxMessageAgeSeconds,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}
