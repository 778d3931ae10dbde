/**
 * The two SecretStores of every namespace that reads secrets (`NamespaceSecretStores`): generated credentials live in
 * Secrets Manager, connection facts (host, port, database) in SSM Parameter Store.
 */
export const SECRET_STORES = {
  secretsManager: 'aws-secrets-manager',
  parameterStore: 'aws-parameter-store',
} as const;

export type SecretStoreName = (typeof SECRET_STORES)[keyof typeof SECRET_STORES];
