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
  /** Hash of the handler's bundle: only its change makes CloudFormation send an Update. */
  readonly HandlerVersion: string;
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
  const client = await connectAsMaster(properties);
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

/**
 * How often a failed login is tried again, and how long apart. The master secret's first rotation starts with the
 * instance and changes the password before it makes the new secret version current: a window of seconds in which the
 * current version no longer logs in (28P01). A connection refused or timed out may be a security group rule still
 * propagating. 6 attempts of at most 5 s, 5 s apart, end within a minute, well inside the function's 2 minutes.
 */
const LOGIN_ATTEMPTS = 6;
const LOGIN_RETRY_MS = 5_000;
const CONNECT_TIMEOUT_MS = 5_000;
const RETRIED = new Set(['28P01', 'ECONNREFUSED', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH']);

async function connectAsMaster(properties: DatabaseUserProperties): Promise<Client> {
  for (let attempt = 1; ; attempt++) {
    const secret = await secrets.send(new GetSecretValueCommand({ SecretId: properties.MasterSecretArn }));
    const master = JSON.parse(secret.SecretString ?? '{}') as { username?: string; password?: string };
    const client = new Client({
      host: properties.Host,
      port: Number(properties.Port),
      database: properties.DatabaseName,
      user: master.username,
      password: master.password,
      ssl: { rejectUnauthorized: true },
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    });
    try {
      await client.connect();
      return client;
    } catch (error) {
      // pg reports its own connection timeout without a code. TLS errors or a missing database do not heal by waiting.
      const code = (error as { code?: string }).code ?? (/timeout/i.test(String(error)) ? 'ETIMEDOUT' : undefined);
      await client.end().catch(() => undefined);
      if (!code || !RETRIED.has(code) || attempt >= LOGIN_ATTEMPTS) throw error;
      console.log(`connecting as the master user failed with ${code} (attempt ${attempt}); trying again`);
      await new Promise((resolve) => setTimeout(resolve, LOGIN_RETRY_MS));
    }
  }
}
