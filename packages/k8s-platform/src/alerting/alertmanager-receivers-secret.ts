import { ALERTMANAGER_RECEIVER_KEYS, type EnvironmentNaming, PLATFORM_NAMESPACES } from '@platform/model';
import { Construct } from 'constructs';
import {
  ExternalSecret,
  ExternalSecretSpecSecretStoreRefKind,
  ExternalSecretSpecTargetCreationPolicy,
} from '../imports/eso-externalsecret-external-secrets.io';
import { SECRET_STORES } from '../secrets/secret-stores';
import { ALERTMANAGER_RECEIVERS_SECRET } from './alertmanager-values';

export interface AlertmanagerReceiversSecretProps {
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
 * The Secret Alertmanager's receivers read their credentials from, filled by the External Secrets Operator
 * from Secrets Manager: Git holds the secret's name only.
 */
export class AlertmanagerReceiversSecret extends Construct {
  public constructor(scope: Construct, id: string, props: AlertmanagerReceiversSecretProps) {
    super(scope, id);
    new ExternalSecret(this, 'Resource', {
      metadata: { name: ALERTMANAGER_RECEIVERS_SECRET, namespace: props.namespace ?? PLATFORM_NAMESPACES.monitoring },
      spec: {
        refreshInterval: props.refreshInterval ?? '1h',
        secretStoreRef: {
          kind: ExternalSecretSpecSecretStoreRefKind.CLUSTER_SECRET_STORE,
          name: SECRET_STORES.secretsManager,
        },
        target: { name: ALERTMANAGER_RECEIVERS_SECRET, creationPolicy: ExternalSecretSpecTargetCreationPolicy.OWNER },
        data: Object.values(ALERTMANAGER_RECEIVER_KEYS).map((key) => ({
          secretKey: key,
          remoteRef: { key: props.naming.alertmanagerReceiversSecretName, property: key },
        })),
      },
    });
  }
}
