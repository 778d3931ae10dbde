import { type AwsAlarmKind, type Environment, environmentRunbooks, runbookUrl } from '@platform/model';
import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';

/** Where an environment's alarms notify, and the runbooks they link. */
export interface AlarmNotification {
  /** The environment's alarm topic (`AlarmTopic`, or `environmentAlarmTopic` from another stack). */
  readonly topic: sns.ITopic;
  readonly environment: Environment;
}

export interface PlatformAlarmProps extends cloudwatch.AlarmProps {
  /** What the alarm watches; names its runbook `docs/runbooks/<kind>.md`. */
  readonly kind: AwsAlarmKind;
  /** Name of the alarm: it must begin with `<org>-<env>-`, the only alarms the topic accepts (`AlarmTopic`). */
  readonly alarmName: string;
  /** What the alarm means, one sentence; the runbook's link is appended. */
  readonly alarmDescription: string;
  readonly notification: AlarmNotification;
}

/**
 * A CloudWatch alarm of the platform: its description ends with the link to its runbook (the docs of the branch the
 * environment's Argo CD syncs, as the Prometheus alerts link theirs), and it notifies the environment's alarm topic
 * when it goes into ALARM. Like the queue alarms before it, it sends nothing on OK or INSUFFICIENT_DATA: the topic
 * carries what needs someone's attention.
 */
export class PlatformAlarm extends cloudwatch.Alarm {
  public readonly kind: AwsAlarmKind;

  public constructor(scope: Construct, id: string, props: PlatformAlarmProps) {
    const { kind, notification, ...alarm } = props;
    const runbook = runbookUrl(environmentRunbooks(notification.environment), kind);
    super(scope, id, { ...alarm, alarmDescription: `${props.alarmDescription} Runbook: ${runbook}` });
    this.kind = kind;
    this.addAlarmAction(new actions.SnsAction(notification.topic));
  }
}

/**
 * The environment's alarm topic, referred to by ARN from a stack other than the messaging stack that creates it
 * (the caller makes the stack depend on the messaging stack). One per stack, under the ID `AlarmTopic`.
 */
export function environmentAlarmTopic(scope: Construct, environment: Environment): sns.ITopic {
  const stack = Stack.of(scope);
  const existing = stack.node.tryFindChild('AlarmTopic');
  if (existing) return existing as sns.ITopic;
  return sns.Topic.fromTopicArn(
    stack,
    'AlarmTopic',
    stack.formatArn({ service: 'sns', resource: environment.alarmTopicName, arnFormat: ArnFormat.NO_RESOURCE_NAME }),
  );
}
