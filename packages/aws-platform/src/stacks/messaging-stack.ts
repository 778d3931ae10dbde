import { type Environment, EnvironmentNaming, type Organization } from '@platform/model';
import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { AlarmTopic } from '../alarm-topic';
import { AlertReceiverSecrets } from '../alert-receiver-secrets';
import { tagResources } from '../platform-tags';

export interface MessagingStackProps extends StackProps {
  readonly organization: Organization;
  readonly environment: Environment;
}

/**
 * The environment's alarm topic with its subscriptions, and the (empty) secrets of its Alertmanager receivers. The
 * catalog's queues, whose alarms notify the topic, have a stack each (`QueueStack`).
 */
export class MessagingStack extends Stack {
  public readonly alarmTopic: AlarmTopic;
  public readonly alertReceivers: AlertReceiverSecrets;

  public constructor(scope: Construct, id: string, props: MessagingStackProps) {
    super(scope, id, props);
    const naming = new EnvironmentNaming(props.organization, props.environment);
    const topicKey = new kms.Key(this, 'AlarmTopicKey', {
      description: `Encrypts the alarm topic of ${naming.prefix}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudWatch alarms publish to the encrypted topic.
    topicKey.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.alarmTopic = new AlarmTopic(this, 'AlarmTopic', {
      topicName: props.environment.alarmTopicName,
      masterKey: topicKey,
      alarmNamePrefix: `${naming.prefix}-`,
      subscriptions: props.environment.alerting.alarmSubscriptions,
    });
    this.alertReceivers = new AlertReceiverSecrets(this, 'AlertReceivers', { naming, environment: props.environment });
    tagResources(this, props.environment.name, props.environment.tags);
  }
}
