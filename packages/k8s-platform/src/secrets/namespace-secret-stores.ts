import type { Environment, SecretReader } from '@platform/model';
import { Construct } from 'constructs';
import { SecretStore, SecretStoreSpecProviderAwsService } from '../imports/eso-secretstore-external-secrets.io';
import { secretStoreNames } from './secret-stores';

export interface NamespaceSecretStoresProps {
  readonly environment: Environment;
  /** One reader of the environment's `secretReaders`: the stores go into its namespace and assume its role. */
  readonly reader: SecretReader;
  readonly labels: Record<string, string>;
}

/**
 * The SecretStores of one reader: in the reader's namespace a store for Secrets Manager and one for SSM Parameter
 * Store, named by `secretStoreNames` (a service's carry its name, so every service of a team has its own pair in
 * the team's namespace), usable only from that namespace (a SecretStore serves the ExternalSecrets of its own
 * namespace). They name no credentials: the External Secrets controller authenticates with its own EKS Pod Identity
 * and assumes the reader's role (`role`), whose policy allows exactly the reader's secrets and parameters.
 * No ClusterSecretStore exists, so no namespace can reach another's secrets through a cluster-wide store.
 */
export class NamespaceSecretStores extends Construct {
  public constructor(scope: Construct, id: string, props: NamespaceSecretStoresProps) {
    super(scope, id);
    const { reader } = props;
    const names = secretStoreNames(reader.service);
    const services = [
      {
        id: 'SecretsManager',
        name: names.secretsManager,
        service: SecretStoreSpecProviderAwsService.SECRETS_MANAGER,
      },
      {
        id: 'ParameterStore',
        name: names.parameterStore,
        service: SecretStoreSpecProviderAwsService.PARAMETER_STORE,
      },
    ];
    for (const store of services) {
      new SecretStore(this, store.id, {
        metadata: { name: store.name, namespace: reader.namespace, labels: props.labels },
        spec: {
          provider: {
            aws: {
              service: store.service,
              region: props.environment.region,
              role: reader.roleArn,
            },
          },
        },
      });
    }
  }
}
