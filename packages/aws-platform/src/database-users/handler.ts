import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Client } from 'pg';
import { ensureDatabaseUser } from './ensure-user';

/** The properties of a `Custom::DatabaseUser` resource (`DatabaseUser`), as CloudFormation passes them: strings. */
export interface DatabaseUserProperties {
  /** ARN of the instance's master credentials secret (`username`, `password`). */
  readonly MasterSecretArn: string;
  readonly Host: string;
  readonly Port: string;
  readonly DatabaseName: string;
  readonly UserName: string;
}

/** The part of the custom-resource provider framework's event the handler reads. */
export interface DatabaseUserEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: DatabaseUserProperties;
}

const secrets = new SecretsManagerClient({});

/**
 * The custom resource's `onEvent` handler (aws-cdk-lib custom-resources Provider): on Create and Update, connects to
 * the database as the master user over TLS, verifying the server's certificate against the RDS certificate
 * authorities the runtime carries (`NODE_EXTRA_CA_CERTS`), and runs `ensureDatabaseUser`. The physical ID is the user
 * name, so renaming the user replaces the resource. Delete leaves the user: it may own the service's data.
 */
export async function handler(event: DatabaseUserEvent): Promise<{ PhysicalResourceId: string }> {
  const properties = event.ResourceProperties;
  if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId ?? properties.UserName };
  const secret = await secrets.send(new GetSecretValueCommand({ SecretId: properties.MasterSecretArn }));
  const master = JSON.parse(secret.SecretString ?? '{}') as { username?: string; password?: string };
  const client = new Client({
    host: properties.Host,
    port: Number(properties.Port),
    database: properties.DatabaseName,
    user: master.username,
    password: master.password,
    ssl: { rejectUnauthorized: true },
    connectionTimeoutMillis: 10_000,
  });
  await client.connect();
  try {
    const statements = await ensureDatabaseUser(client, {
      userName: properties.UserName,
      databaseName: properties.DatabaseName,
    });
    console.log(JSON.stringify({ user: properties.UserName, statements }));
  } finally {
    await client.end();
  }
  return { PhysicalResourceId: properties.UserName };
}
