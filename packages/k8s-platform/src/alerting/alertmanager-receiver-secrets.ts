import { type EnvironmentNaming, PLATFORM_NAMESPACES } from '@platform/model';
import { Construct } from 'constructs';
import {
  ExternalSecret,
  ExternalSecretSpecSecretStoreRefKind,
  ExternalSecretSpecTargetCreationPolicy,
} from '../imports/eso-externalsecret-external-secrets.io';
import { SECRET_STORES } from '../secrets/secret-stores';
import { RECEIVER_CREDENTIALS } from './receiver-credentials';

export interface AlertmanagerReceiverSecretsProps {
  /** Names the Secrets Manager secret of each receiver the environment configures (`alertReceiverSecrets`). */
  readonly naming: EnvironmentNaming;
  /**
   * Namespace of Alertmanager.
   * @default PLATFORM_NAMESPACES.monitoring
   */
  readonly namespace?: string;
  /**
   * How often the controller re-reads the credentials, so a rotated key reaches Alertmanager.
   * @default '1h'
   */
  readonly refreshInterval?: string;
}

/**
 * One ExternalSecret per configured receiver, filling the Kubernetes Secret of `RECEIVER_CREDENTIALS` from the
 * receiver's Secrets Manager secret (its whole value: the secret holds the bare credential). Git holds the names only.
 */
export class AlertmanagerReceiverSecrets extends Construct {
  public constructor(scope: Construct, id: string, props: AlertmanagerReceiverSecretsProps) {
    super(scope, id);
    const namespace = props.namespace ?? PLATFORM_NAMESPACES.monitoring;
    for (const { receiver, secretName } of props.naming.alertReceiverSecrets) {
      const credential = RECEIVER_CREDENTIALS[receiver];
      new ExternalSecret(this, receiver, {
        metadata: { name: credential.secretName, namespace },
        spec: {
          refreshInterval: props.refreshInterval ?? '1h',
          secretStoreRef: {
            kind: ExternalSecretSpecSecretStoreRefKind.SECRET_STORE,
            name: SECRET_STORES.secretsManager,
          },
          target: { name: credential.secretName, creationPolicy: ExternalSecretSpecTargetCreationPolicy.OWNER },
          data: [{ secretKey: credential.key, remoteRef: { key: secretName } }],
        },
      });
    }
  }
}
