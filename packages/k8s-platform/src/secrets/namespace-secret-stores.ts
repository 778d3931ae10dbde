import type { Environment, EnvironmentNaming, SecretReader } from '@platform/model';
import { Construct } from 'constructs';
import { SecretStore, SecretStoreSpecProviderAwsService } from '../imports/eso-secretstore-external-secrets.io';
import { SECRET_STORES } from './secret-stores';

export interface NamespaceSecretStoresProps {
  readonly environment: Environment;
  readonly naming: EnvironmentNaming;
  /** One reader of the environment's `secretReaders`: the stores go into its namespace and assume its role. */
  readonly reader: SecretReader;
  readonly labels: Record<string, string>;
}

/**
 * In the reader's namespace a SecretStore for Secrets Manager and one for SSM Parameter Store, both named by
 * `SECRET_STORES`, usable only from that namespace (a SecretStore serves the ExternalSecrets of its own namespace).
 * They name no credentials: the External Secrets controller authenticates with its own EKS Pod Identity and
 * assumes the namespace's reader role (`role`), whose policy allows exactly that namespace's secrets and parameters.
 * No ClusterSecretStore exists, so no namespace can reach another's secrets through a cluster-wide store.
 */
export class NamespaceSecretStores extends Construct {
  public constructor(scope: Construct, id: string, props: NamespaceSecretStoresProps) {
    super(scope, id);
    const services = [
      {
        id: 'SecretsManager',
        name: SECRET_STORES.secretsManager,
        service: SecretStoreSpecProviderAwsService.SECRETS_MANAGER,
      },
      {
        id: 'ParameterStore',
        name: SECRET_STORES.parameterStore,
        service: SecretStoreSpecProviderAwsService.PARAMETER_STORE,
      },
    ];
    const { reader } = props;
    for (const store of services) {
      new SecretStore(this, store.id, {
        metadata: { name: store.name, namespace: reader.namespace, labels: props.labels },
        spec: {
          provider: {
            aws: {
              service: store.service,
              region: props.environment.region,
              role: props.naming.secretReaderRoleArn(reader.namespace),
            },
          },
        },
      });
    }
  }
}
