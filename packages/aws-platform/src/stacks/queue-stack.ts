import { type Environment, EnvironmentNaming, type Organization, type Queue } from '@platform/model';
import { ArnFormat, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { PlatformQueue } from '../platform-queue';
import { tagResources } from '../platform-tags';

export interface QueueStackProps extends StackProps {
  readonly organization: Organization;
  readonly environment: Environment;
  /** The one catalog queue the stack holds. */
  readonly queue: Queue;
}

/**
 * One catalog queue of one environment: the queue, its dead-letter queue, their TLS-only policies and alarms
 * (`PlatformQueue`). The alarms notify the environment's alarm topic, named by the model (`alarmTopicName`) and
 * referred to by ARN: the caller makes the stack depend on the messaging stack, which creates the topic.
 */
export class QueueStack extends Stack {
  public readonly queue: PlatformQueue;

  public constructor(scope: Construct, id: string, props: QueueStackProps) {
    super(scope, id, props);
    const { environment } = props;
    const naming = new EnvironmentNaming(props.organization, environment);
    const alarmTopic = sns.Topic.fromTopicArn(
      this,
      'AlarmTopic',
      this.formatArn({ service: 'sns', resource: environment.alarmTopicName, arnFormat: ArnFormat.NO_RESOURCE_NAME }),
    );
    this.queue = new PlatformQueue(this, 'Queue', {
      queue: props.queue,
      naming,
      alarmTopic,
      removalPolicy: environment.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    tagResources(this, environment.name, environment.tags);
  }
}
