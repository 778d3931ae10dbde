import { ALERTMANAGER_RECEIVER_KEYS, type EnvironmentNaming } from '@platform/model';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge } from './acknowledge';

export interface AlertReceiversSecretProps {
  readonly naming: EnvironmentNaming;
}

/**
 * The secret Alertmanager's receivers read through External Secrets: the pager's routing key and
 * the ticket webhook URL. They belong to outside services, so the stack creates the secret with a
 * placeholder and the on-call team puts the real values in; the template never holds them.
 */
export class AlertReceiversSecret extends Construct {
  public readonly secret: secretsmanager.Secret;

  public constructor(scope: Construct, id: string, props: AlertReceiversSecretProps) {
    super(scope, id);
    this.secret = new secretsmanager.Secret(this, 'Resource', {
      secretName: props.naming.alertmanagerReceiversSecretName,
      description: 'Alertmanager receivers: pager routing key and ticket webhook URL (set by the on-call team)',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ [ALERTMANAGER_RECEIVER_KEYS.ticketWebhookUrl]: '' }),
        generateStringKey: ALERTMANAGER_RECEIVER_KEYS.pagerDutyRoutingKey,
      },
    });
    acknowledge(
      this.secret,
      'AwsSolutions-SMG4',
      'The pager routing key and webhook URL are issued by the paging and ticketing services; they are rotated there and pasted in, which Secrets Manager rotation cannot do.',
    );
  }
}
