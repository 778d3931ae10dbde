import type { Environment } from '@platform/model';
import { Construct } from 'constructs';
import {
  ClusterSecretStore,
  ClusterSecretStoreSpecProviderAwsService,
} from '../imports/eso-clustersecretstore-external-secrets.io';
import { SECRET_STORES } from './secret-stores';

export interface ClusterSecretStoresProps {
  readonly environment: Environment;
  /** Namespaces whose ExternalSecrets may use the stores. */
  readonly namespaces: readonly string[];
  readonly labels: Record<string, string>;
}

/**
 * The environment's ClusterSecretStores. They name no credentials: the External Secrets controller
 * authenticates with its own workload identity (EKS Pod Identity), whose IAM policy limits it to the
 * environment's secret and parameter prefixes.
 */
export class ClusterSecretStores extends Construct {
  public constructor(scope: Construct, id: string, props: ClusterSecretStoresProps) {
    super(scope, id);
    const stores = [
      {
        id: 'SecretsManager',
        name: SECRET_STORES.secretsManager,
        service: ClusterSecretStoreSpecProviderAwsService.SECRETS_MANAGER,
      },
      {
        id: 'ParameterStore',
        name: SECRET_STORES.parameterStore,
        service: ClusterSecretStoreSpecProviderAwsService.PARAMETER_STORE,
      },
    ];
    for (const store of stores) {
      new ClusterSecretStore(this, store.id, {
        metadata: { name: store.name, labels: props.labels },
        spec: {
          provider: { aws: { service: store.service, region: props.environment.region } },
          conditions: [{ namespaces: [...props.namespaces] }],
        },
      });
    }
  }
}
