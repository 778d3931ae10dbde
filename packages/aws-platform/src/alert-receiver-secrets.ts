import type { AlertReceiver, Environment, EnvironmentNaming } from '@platform/model';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge } from './acknowledge';
import { SECRETS_WITH_AWS_MANAGED_KEY, skipCheckov } from './checkov-skips';
import { retainWithDataStore } from './data-removal';

export interface AlertReceiverSecretsProps {
  readonly naming: EnvironmentNaming;
  /** Its `removalPolicy` decides whether the secrets outlive their stack: `retain` keeps the values set by hand. */
  readonly environment: Environment;
}

/**
 * The secrets Alertmanager's receivers read through External Secrets, one per receiver the model configures
 * (`EnvironmentNaming.alertReceiverSecrets`), each to hold one bare value. The values belong to the paging,
 * ticketing and heartbeat services, so the secrets are created empty (neither `SecretString` nor
 * `GenerateSecretString`: CloudFormation then creates a secret without a version) and the on-call team puts the
 * values in; no placeholder is generated that could pass for a credential. Until then External Secrets reports
 * the secret as missing and the receiver's file stays absent.
 */
export class AlertReceiverSecrets extends Construct {
  /** The secret of each configured receiver. */
  public readonly secrets: ReadonlyMap<AlertReceiver, secretsmanager.CfnSecret>;

  public constructor(scope: Construct, id: string, props: AlertReceiverSecretsProps) {
    super(scope, id);
    const secrets = new Map<AlertReceiver, secretsmanager.CfnSecret>();
    for (const { receiver, secretName, holds } of props.naming.alertReceiverSecrets) {
      secrets.set(
        receiver,
        new secretsmanager.CfnSecret(this, receiver, {
          name: secretName,
          description: `Alertmanager receiver ${receiver}: ${holds}, as the bare value. Set by the on-call team; created empty.`,
        }),
      );
    }
    this.secrets = secrets;
    // The values were pasted in by hand: where the environment keeps its data, a removal keeps them too.
    retainWithDataStore(props.environment, ...secrets.values());
    for (const secret of secrets.values()) skipCheckov(secret, 'CKV_AWS_149', SECRETS_WITH_AWS_MANAGED_KEY);
    acknowledge(
      this,
      'AwsSolutions-SMG4',
      'The routing key and webhook URLs are issued by the paging, ticketing and heartbeat services; they are rotated there and pasted in, which Secrets Manager rotation cannot do.',
    );
  }
}
