import type { Client } from 'pg';
import { ensureDatabaseUser } from '../../packages/aws-platform/src/database-users/ensure-user';
import { POSTGRES_ENGINE_VERSION } from '../../packages/aws-platform/src/service-database';
import { type PostgresServer, startPostgres } from '../support/postgres-server';

// A real PostgreSQL server of the major version the services run, set up as RDS sets up an instance: the master user
// is no superuser but a member of rds_superuser with CREATEROLE and CREATEDB, owns the service's database, and the
// role rds_iam exists (RDS admits members of it with IAM authentication tokens only), which rds_superuser may grant.
const MASTER = { name: 'order_service', password: 'master-password' };
const DATABASE = 'order_service';
const USER = 'order_service_app';

let server: PostgresServer;
let master: Client;

beforeAll(async () => {
  server = await startPostgres();
  const superuser = await server.connect();
  await superuser.query('CREATE ROLE rds_superuser');
  await superuser.query('CREATE ROLE rds_iam');
  // As on RDS: the master may grant rds_iam but does not inherit it (members of rds_iam log in with tokens only).
  await superuser.query('GRANT rds_iam TO rds_superuser WITH ADMIN TRUE, INHERIT FALSE, SET FALSE');
  await superuser.query(
    `CREATE ROLE ${MASTER.name} LOGIN PASSWORD '${MASTER.password}' CREATEROLE CREATEDB IN ROLE rds_superuser`,
  );
  await superuser.query(`CREATE DATABASE ${DATABASE} OWNER ${MASTER.name}`);
  await superuser.end();
  // A table of another role in the same schema: the run must neither take it nor trip over it.
  const other = await server.connect(DATABASE);
  await other.query('CREATE ROLE someone_else');
  await other.query('CREATE TABLE audit_log (id int)');
  await other.query('ALTER TABLE audit_log OWNER TO someone_else');
  await other.end();
  master = await server.connect(DATABASE, MASTER.name, MASTER.password);
  // What a service created while it still connected as the master user.
  await master.query(`
    CREATE TYPE order_state AS ENUM ('open', 'paid');
    CREATE DOMAIN positive_amount AS numeric CHECK (VALUE > 0);
    CREATE TABLE orders (id serial PRIMARY KEY, ref bigint GENERATED ALWAYS AS IDENTITY, state order_state, total positive_amount);
    CREATE SEQUENCE invoice_numbers;
    CREATE VIEW open_orders AS SELECT * FROM orders WHERE state = 'open';
    CREATE FUNCTION order_count() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM orders';
    CREATE SCHEMA billing;
    CREATE TABLE billing.invoices (id int PRIMARY KEY);
    CREATE TABLE events (at date NOT NULL, note text) PARTITION BY RANGE (at);
    CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
    CREATE AGGREGATE total_of (numeric) (SFUNC = numeric_add, STYPE = numeric);
  `);
});

afterAll(async () => {
  await master?.end();
  server?.stop();
});

async function owners(client: Client): Promise<Record<string, string>> {
  const result = await client.query<{ object: string; owner: string }>(`
    SELECT 'database ' || datname AS object, pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = current_database()
    UNION ALL SELECT 'schema ' || nspname, pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname IN ('billing')
    UNION ALL SELECT 'relation ' || c.oid::regclass::text, pg_get_userbyid(c.relowner) FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('public', 'billing') AND c.relkind IN ('r', 'p', 'v', 'S')
        AND c.relname <> 'audit_log'
    UNION ALL SELECT 'routine ' || p.proname, pg_get_userbyid(p.proowner) FROM pg_proc p
      JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
    UNION ALL SELECT 'type ' || t.typname, pg_get_userbyid(t.typowner) FROM pg_type t
      JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd')`);
  return Object.fromEntries(result.rows.map((row) => [row.object, row.owner]));
}

describe('the service database user, on a real PostgreSQL', () => {
  it('runs the major version RDS runs for the services', () => {
    expect(String(server.majorVersion)).toBe(POSTGRES_ENGINE_VERSION.postgresMajorVersion);
  });

  it('creates a login role that authenticates with IAM only and owns the database and everything the master made', async () => {
    const before = await owners(master);
    expect(Object.keys(before).length).toBeGreaterThanOrEqual(11);
    expect(new Set(Object.values(before))).toEqual(new Set([MASTER.name]));

    await ensureDatabaseUser(master, { userName: USER, databaseName: DATABASE });

    // pg_authid (which holds passwords) is readable by superusers only.
    const superuser = await server.connect();
    const role = await superuser.query(
      `SELECT rolcanlogin, rolsuper, rolcreaterole, rolpassword IS NULL AS no_password,
              pg_has_role($1, 'rds_iam', 'MEMBER') AS iam FROM pg_authid WHERE rolname = $1`,
      [USER],
    );
    await superuser.end();
    expect(role.rows).toEqual([
      { rolcanlogin: true, rolsuper: false, rolcreaterole: false, no_password: true, iam: true },
    ]);
    const after = await owners(master);
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    expect(new Set(Object.values(after))).toEqual(new Set([USER]));
  });

  it('leaves the master user outside rds_iam: it keeps logging in with its password (rotation, break-glass)', async () => {
    // Assumed of RDS, as AWS's own steps (CREATE USER, then GRANT rds_iam, as the master user) require on PostgreSQL
    // 16 and later: it takes tokens only from roles that have rds_iam's privileges (inherit), not from every member.
    const check = await master.query<{ iam: boolean }>(`SELECT pg_has_role($1, 'rds_iam', 'USAGE') AS iam`, [
      MASTER.name,
    ]);
    expect(check.rows).toEqual([{ iam: false }]);
    // Only the ADMIN membership PostgreSQL gives a role's creator: no INHERIT, no SET.
    const superuser = await server.connect();
    const memberships = await superuser.query(
      `SELECT admin_option, inherit_option, set_option FROM pg_auth_members
        WHERE member = $1::regrole AND roleid = $2::regrole`,
      [MASTER.name, USER],
    );
    await superuser.end();
    expect(memberships.rows).toEqual([{ admin_option: true, inherit_option: false, set_option: false }]);
    // A new session as the master user, with its password.
    const fresh = await server.connect(DATABASE, MASTER.name, MASTER.password);
    const who = await fresh.query<{ user: string }>('SELECT current_user AS user');
    await fresh.end();
    expect(who.rows).toEqual([{ user: MASTER.name }]);
  });

  it('lets the service run its migrations and the master user still reach the data (break-glass)', async () => {
    const superuser = await server.connect(DATABASE);
    await superuser.query(`ALTER ROLE ${USER} PASSWORD 'local-test-only'`); // RDS would take an IAM token instead
    await superuser.end();
    const service = await server.connect(DATABASE, USER, 'local-test-only');
    await service.query(`
      ALTER TABLE orders ADD COLUMN note text;
      ALTER TYPE order_state ADD VALUE 'shipped';
      CREATE TABLE shipments (id int PRIMARY KEY);
      CREATE TABLE billing.credits (id int PRIMARY KEY);
      INSERT INTO orders (state, total) VALUES ('open', 5);`);
    await service.end();
    // Pods still logging in as the master user read and write what it handed over, until they roll; no DDL.
    const rows = await master.query<{ count: string }>('SELECT count(*) FROM orders');
    expect(rows.rows[0]?.count).toBe('1');
    await master.query(`INSERT INTO orders (state, total) VALUES ('paid', 7)`);
    await master.query(`INSERT INTO events VALUES ('2026-12-01', 'through the partition')`);
    const untouched = await master.query<{ owner: string }>(
      `SELECT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE relname = 'audit_log'`,
    );
    expect(untouched.rows).toEqual([{ owner: 'someone_else' }]);
    await expect(master.query('ALTER TABLE orders ADD COLUMN other text')).rejects.toThrow(/must be owner/);
    // Break-glass reaches everything through the service user, as docs/cluster-access.md shows.
    await master.query('BEGIN');
    await master.query(`GRANT ${USER} TO CURRENT_USER WITH INHERIT FALSE, SET TRUE`);
    await master.query(`SET LOCAL ROLE ${USER}`);
    const shipments = await master.query('SELECT count(*) FROM shipments');
    await master.query('ROLLBACK');
    expect(shipments.rowCount).toBe(1);
  });

  it('is idempotent: a second run changes no owner and creates nothing', async () => {
    const before = await owners(master);
    const statements = await ensureDatabaseUser(master, { userName: USER, databaseName: DATABASE });
    expect(statements[0]).toBe(`ALTER ROLE "${USER}" LOGIN`);
    expect(
      statements.filter((statement) => statement.includes('OWNER TO') && !statement.startsWith('ALTER DATABASE')),
    ).toEqual([]);
    expect(await owners(master)).toEqual(before);
  });

  it('changes nothing when a step fails', async () => {
    await expect(
      ensureDatabaseUser(master, { userName: 'other_app', databaseName: DATABASE, iamRole: 'no_such_role' }),
    ).rejects.toThrow(/no_such_role/);
    const role = await master.query('SELECT 1 FROM pg_roles WHERE rolname = $1', ['other_app']);
    expect(role.rowCount).toBe(0);
  });
});
