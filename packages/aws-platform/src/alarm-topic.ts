import type { Alerting } from '@platform/model';
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';

export interface AlarmTopicProps {
  readonly topicName: string;
  /** Key the topic is encrypted with; CloudWatch must be allowed to use it (kms:GenerateDataKey*, kms:Decrypt). */
  readonly masterKey: kms.IKey;
  /**
   * Start of the names of the alarms that may publish: CloudWatch alarms of this account and region whose name
   * begins with it (alarm names the platform gives, and CloudFormation's `<stack name>-…`, begin with `<org>-<env>-`).
   */
  readonly alarmNamePrefix: string;
  /** Who the topic delivers to: the model's `alerting.alarmSubscriptions`. */
  readonly subscriptions: Alerting['alarmSubscriptions'];
}

/**
 * The SNS topic an environment's CloudWatch alarms notify: KMS-encrypted, TLS only, delivering to the model's
 * subscriptions. A topic policy replaces SNS's default policy, which is what let the account's services publish;
 * so the policy allows cloudwatch.amazonaws.com to publish, only for this account's alarms (aws:SourceAccount,
 * aws:SourceArn, as CloudWatch's SNS notification documentation describes), next to the TLS-only Deny.
 * E-mail and HTTPS subscriptions deliver only after their owner confirms them.
 */
export class AlarmTopic extends sns.Topic {
  public constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id, { topicName: props.topicName, masterKey: props.masterKey, enforceSSL: true });
    const { account, region, partition } = Stack.of(this);
    this.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': account },
          ArnLike: {
            'aws:SourceArn': `arn:${partition}:cloudwatch:${region}:${account}:alarm:${props.alarmNamePrefix}*`,
          },
        },
      }),
    );
    for (const { protocol, endpoint } of props.subscriptions) {
      this.addSubscription(
        protocol === 'email'
          ? new subscriptions.EmailSubscription(endpoint)
          : new subscriptions.UrlSubscription(endpoint, { protocol: sns.SubscriptionProtocol.HTTPS }),
      );
    }
  }
}
