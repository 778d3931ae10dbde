import { type Environment, EnvironmentNaming, type Organization, type Queue } from '@platform/model';
import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { environmentAlarmTopic } from '../platform-alarm';
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
    this.queue = new PlatformQueue(this, 'Queue', {
      queue: props.queue,
      naming,
      notification: { topic: environmentAlarmTopic(this, environment), environment },
      removalPolicy: environment.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    tagResources(this, environment.name, environment.tags);
  }
}
