import {
  CONNECTION_PARAMETERS,
  CREDENTIALS_SECRET_KEYS,
  type DataStore,
  type EnvironmentNaming,
  type Service,
  storesWithCredentials,
} from '@platform/model';
import { Construct } from 'constructs';
import {
  ExternalSecret,
  type ExternalSecretSpecData,
  ExternalSecretSpecDataSourceRefStoreRefKind,
  ExternalSecretSpecSecretStoreRefKind,
  ExternalSecretSpecTargetCreationPolicy,
} from '../imports/eso-externalsecret-external-secrets.io';
import { secretStoreNames } from '../secrets/secret-stores';

export interface ServiceSecretsProps {
  readonly naming: EnvironmentNaming;
  readonly service: Service;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /**
   * How often the controller re-reads the stores, so rotated credentials reach the pods.
   * @default '1h'
   */
  readonly refreshInterval?: string;
}

/**
 * One ExternalSecret per data store of the service. The Secret it writes holds the connection facts from SSM and,
 * for a store that authenticates with a generated secret (`storesWithCredentials`: Valkey), the credentials from
 * Secrets Manager, as `<STORE>_<KEY>` variables (POSTGRES_HOST, REDIS_PASSWORD, …). PostgreSQL takes IAM tokens.
 * Git holds only the names of the AWS secrets and parameters, never a value.
 */
export class ServiceSecrets extends Construct {
  /** Names of the Kubernetes Secrets the ExternalSecrets write, for the Deployment's `envFrom`. */
  public readonly secretNames: readonly string[];

  public constructor(scope: Construct, id: string, props: ServiceSecretsProps) {
    super(scope, id);
    const stores = dataStoresOf(props.service);
    this.secretNames = stores.map((store) => `${props.service.name}-${store}`);
    for (const store of stores) {
      const name = `${props.service.name}-${store}`;
      new ExternalSecret(this, store, {
        metadata: {
          name,
          namespace: props.namespace,
          labels: props.labels,
          // Before the Deployment: Argo CD waits for the ExternalSecret to be healthy (its Secret written).
          annotations: { 'argocd.argoproj.io/sync-wave': '-1' },
        },
        spec: {
          refreshInterval: props.refreshInterval ?? '1h',
          secretStoreRef: {
            kind: ExternalSecretSpecSecretStoreRefKind.SECRET_STORE,
            // The service's own stores (NamespaceSecretStores), whose role reads this service's secrets only.
            name: secretStoreNames(props.service.name).secretsManager,
          },
          target: { name, creationPolicy: ExternalSecretSpecTargetCreationPolicy.OWNER },
          data: [...credentials(props, store), ...connectionFacts(props, store)],
        },
      });
    }
  }
}

export function dataStoresOf(service: Service): DataStore[] {
  return [
    ...(service.dependencies.database ? (['postgres'] as const) : []),
    ...(service.dependencies.cache ? (['redis'] as const) : []),
  ];
}

export function secretKey(store: DataStore, key: string): string {
  return `${store.toUpperCase()}_${key.toUpperCase()}`;
}

function credentials({ naming, service }: ServiceSecretsProps, store: DataStore): ExternalSecretSpecData[] {
  if (storesWithCredentials([store]).length === 0) return [];
  return CREDENTIALS_SECRET_KEYS.map((key) => ({
    secretKey: secretKey(store, key),
    remoteRef: { key: naming.credentialsSecretName(service.name, store), property: key },
  }));
}

function connectionFacts({ naming, service }: ServiceSecretsProps, store: DataStore): ExternalSecretSpecData[] {
  return CONNECTION_PARAMETERS[store].map((key) => ({
    secretKey: secretKey(store, key),
    remoteRef: { key: naming.connectionParameterName(service.name, store, key) },
    sourceRef: {
      storeRef: {
        kind: ExternalSecretSpecDataSourceRefStoreRefKind.SECRET_STORE,
        name: secretStoreNames(service.name).parameterStore,
      },
    },
  }));
}
