/**
 * The two SecretStores of every secret reader (`NamespaceSecretStores`): generated credentials live in Secrets
 * Manager, connection facts (host, port, database) in SSM Parameter Store. These are the names of a platform
 * namespace's stores (monitoring's); a service's stores are named by `secretStoreNames`.
 */
export const SECRET_STORES = {
  secretsManager: 'aws-secrets-manager',
  parameterStore: 'aws-parameter-store',
} as const;

/** The names of the two SecretStores of one reader. */
export interface SecretStoreNames {
  readonly secretsManager: string;
  readonly parameterStore: string;
}

/**
 * The SecretStores of a service's reader, `<service>-aws-secrets-manager` and `<service>-aws-parameter-store`, in
 * its team's namespace beside the stores of the team's other services; without a service, a platform namespace's
 * (`SECRET_STORES`). A service name is a DNS label (at most 63 characters), so a store's name stays a valid
 * DNS subdomain name (at most 253).
 */
export function secretStoreNames(service?: string): SecretStoreNames {
  if (service === undefined) return SECRET_STORES;
  return {
    secretsManager: `${service}-${SECRET_STORES.secretsManager}`,
    parameterStore: `${service}-${SECRET_STORES.parameterStore}`,
  };
}
