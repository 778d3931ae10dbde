import {
  CONNECTION_PARAMETERS,
  type DataStore,
  type EnvironmentNaming,
  PLATFORM_NAMESPACES,
  storesWithCredentials,
} from './naming';
import type { Service, Team } from './schema';

/**
 * What one scope may read through External Secrets, and the IAM role that reads it. A scope is one service (in its
 * team's namespace) or one platform namespace (monitoring). Each scope gets its own SecretStores, whose identity is
 * this role: a service's stores read the credentials (`storesWithCredentials`: the PostgreSQL master credentials are no
 * workload's) and connection parameters of that service only, monitoring's the Alertmanager receivers' secrets only.
 * No store reads the Argo CD repository credentials (the cloud stack hands those to Argo CD).
 *
 * A reader per service, not per team, keeps every reader's policy as small as one service's data stores however many
 * services a team has (IAM allows a role 10,240 characters of inline policies, IAM user guide
 * reference_iam-quotas), and puts it in the service's own stack, so adding a service changes no other stack.
 */
export interface SecretReader {
  /** The namespace whose SecretStores assume `roleName`; a team's namespace is the team's name. */
  readonly namespace: string;
  /** The team whose secrets these are, or `undefined` for the platform's (Alertmanager's receivers). */
  readonly team?: string;
  /** The service whose secrets these are, or `undefined` for a platform namespace's. */
  readonly service?: string;
  /** Name of the IAM role (`serviceSecretReaderRoleName`, or `secretReaderRoleName` of a platform namespace). */
  readonly roleName: string;
  /** IAM path of the role: `serviceSecretReaderPath` for a service's, `/` for a platform namespace's. */
  readonly rolePath: string;
  /** ARN of the role, with its path. */
  readonly roleArn: string;
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
 * The secret reader of one service: its data stores' credentials and connection parameters, or `undefined` for a
 * service without a data store (an empty role would still be a role to guard).
 */
export function serviceSecretReader(naming: EnvironmentNaming, service: Service): SecretReader | undefined {
  const stores = serviceDataStores(service);
  if (stores.length === 0) return undefined;
  const secretNames = storesWithCredentials(stores).map((store) => naming.credentialsSecretName(service.name, store));
  const parameterNames = stores.flatMap((store) =>
    CONNECTION_PARAMETERS[store].map((key) => naming.connectionParameterName(service.name, store, key)),
  );
  return {
    namespace: service.team,
    team: service.team,
    service: service.name,
    roleName: naming.serviceSecretReaderRoleName(service.name),
    rolePath: naming.serviceSecretReaderPath,
    roleArn: naming.serviceSecretReaderRoleArn(service.name),
    secretNames: unique(secretNames),
    parameterNames: unique(parameterNames),
  };
}

/**
 * The secret reader of the monitoring namespace, when the environment configures a receiver with a secret.
 */
export function platformSecretReaders(naming: EnvironmentNaming): SecretReader[] {
  const receiverSecrets = naming.alertReceiverSecrets.map((secret) => secret.secretName);
  if (receiverSecrets.length === 0) return [];
  const namespace = PLATFORM_NAMESPACES.monitoring;
  return [
    {
      namespace,
      roleName: naming.secretReaderRoleName(namespace),
      rolePath: '/',
      roleArn: naming.secretReaderRoleArn(namespace),
      secretNames: unique(receiverSecrets),
      parameterNames: [],
    },
  ];
}

/**
 * The secret readers of one environment: one per service with a data store (`serviceSecretReader`, in the namespace
 * of the service's team), and monitoring's (`platformSecretReaders`). A namespace with nothing to read gets no reader
 * (and no SecretStore).
 * @param teams the teams, of which only those owning one of `services` get readers (in the order of `services`)
 * @param services the services as the environment runs them (`modelIn`)
 */
export function secretReaders(
  naming: EnvironmentNaming,
  teams: readonly Team[],
  services: readonly Service[],
): SecretReader[] {
  const known = new Set(teams.map((team) => team.name));
  return [
    ...services
      .filter((service) => known.has(service.team))
      .flatMap((service) => serviceSecretReader(naming, service) ?? []),
    ...platformSecretReaders(naming),
  ];
}

/** Per namespace, the ARNs of the roles its SecretStores may assume (`secretReaders`), sorted. */
export function secretReaderRolesByNamespace(readers: readonly SecretReader[]): Record<string, string[]> {
  const byNamespace: Record<string, string[]> = {};
  for (const reader of readers)
    byNamespace[reader.namespace] = [...(byNamespace[reader.namespace] ?? []), reader.roleArn];
  for (const roles of Object.values(byNamespace)) roles.sort();
  return byNamespace;
}

function unique(names: readonly string[]): string[] {
  return [...new Set(names)].sort();
}
