import {
  CONNECTION_PARAMETERS,
  type DataStore,
  type EnvironmentNaming,
  PLATFORM_NAMESPACES,
  storesWithCredentials,
} from './naming';
import type { Service, Team } from './schema';

/**
 * What one namespace may read through External Secrets, and the IAM role that reads it. Each namespace that holds
 * ExternalSecrets gets its own SecretStores, whose identity is this role: a team's namespace reads the credentials
 * (`storesWithCredentials`: the PostgreSQL master credentials are no workload's) and connection parameters of the
 * team's own services only, the monitoring namespace the Alertmanager receivers'
 * secrets only. No namespace reads the Argo CD repository credentials (the cloud stack hands those to Argo CD).
 */
export interface SecretReader {
  /** The namespace whose SecretStores assume `roleName`; a team's namespace is the team's name. */
  readonly namespace: string;
  /** The team whose secrets these are, or `undefined` for the platform's (Alertmanager's receivers). */
  readonly team?: string;
  /** Name of the IAM role (`EnvironmentNaming.secretReaderRoleName`). */
  readonly roleName: string;
  /** Full Secrets Manager names the role may read, each exactly (no prefix wildcard). Sorted, no duplicates. */
  readonly secretNames: readonly string[];
  /** Full SSM parameter names (with the leading `/`) the role may read, each exactly. Sorted, no duplicates. */
  readonly parameterNames: readonly string[];
}

/** The data stores of a service, in the order the ExternalSecrets and policies list them. */
export function serviceDataStores(service: Service): DataStore[] {
  return [
    ...(service.dependencies.database ? (['postgres'] as const) : []),
    ...(service.dependencies.cache ? (['redis'] as const) : []),
  ];
}

/**
 * The secret readers of one environment: one per team whose services in the environment have a data store, and one
 * for the monitoring namespace when the environment configures a receiver with a secret. A namespace with nothing to
 * read gets no reader (and no SecretStore): an empty role would still be a role to guard.
 * @param services the services as the environment runs them (`modelIn`)
 */
export function secretReaders(
  naming: EnvironmentNaming,
  teams: readonly Team[],
  services: readonly Service[],
): SecretReader[] {
  const readers: SecretReader[] = teams.flatMap((team) => {
    const owned = services.filter((service) => service.team === team.name);
    const secretNames = owned.flatMap((service) =>
      storesWithCredentials(serviceDataStores(service)).map((store) =>
        naming.credentialsSecretName(service.name, store),
      ),
    );
    const parameterNames = owned.flatMap((service) =>
      serviceDataStores(service).flatMap((store) =>
        CONNECTION_PARAMETERS[store].map((key) => naming.connectionParameterName(service.name, store, key)),
      ),
    );
    if (secretNames.length === 0 && parameterNames.length === 0) return [];
    return [reader(naming, team.name, team.name, secretNames, parameterNames)];
  });
  const receiverSecrets = naming.alertReceiverSecrets.map((secret) => secret.secretName);
  if (receiverSecrets.length > 0) {
    readers.push(reader(naming, PLATFORM_NAMESPACES.monitoring, undefined, receiverSecrets, []));
  }
  return readers;
}

function reader(
  naming: EnvironmentNaming,
  namespace: string,
  team: string | undefined,
  secretNames: string[],
  parameterNames: string[],
): SecretReader {
  return {
    namespace,
    ...(team === undefined ? {} : { team }),
    roleName: naming.secretReaderRoleName(namespace),
    secretNames: [...new Set(secretNames)].sort(),
    parameterNames: [...new Set(parameterNames)].sort(),
  };
}
