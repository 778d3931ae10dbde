import { type ClientBase, escapeIdentifier } from 'pg';

export interface DatabaseUserSpec {
  /** The role to create or update: a service's user (`EnvironmentNaming.databaseUserName`). */
  readonly userName: string;
  /** The database the client is connected to, which the user comes to own. */
  readonly databaseName: string;
  /** The role RDS reserves for IAM authentication: its members log in with tokens only. @default 'rds_iam' */
  readonly iamRole?: string;
}

/**
 * Makes `userName` the login role a service connects as, idempotently, over a client connected to the service's
 * database as the instance's master user (a member of `rds_superuser`, with CREATEROLE; PostgreSQL 16 or later), in
 * one transaction:
 *
 * 1. creates the role with LOGIN (no password) or turns LOGIN on, and grants it `rds_iam`, so RDS accepts only IAM
 *    authentication tokens for it;
 * 2. makes it the owner of the database (and thus, as `pg_database_owner`, of the `public` schema) and hands it every
 *    schema, relation, routine and type the master user owns there, outside the system schemas and extensions: what a
 *    service created while it still connected as the master user, so its migrations keep working;
 * 3. lets the master user keep reading and writing the tables and sequences it handed over (schema USAGE, DML,
 *    sequence use; no DDL), so pods that still log in as the master user keep working until they roll.
 *
 * A change of owner needs the right to SET ROLE to the new owner; since PostgreSQL 16 a role's creator holds only
 * ADMIN on it. The master user grants itself the role WITH INHERIT FALSE, SET TRUE for the transaction and revokes it
 * before COMMIT: it must never inherit the role's `rds_iam`, or RDS would take only IAM tokens from it too (password
 * logins, the secret's rotation and this function would stop working).
 *
 * The role is never dropped here: it may own data, and the database's own removal policy decides its fate.
 * @returns the statements run, in order, for the caller's log
 * @throws the server's error; the transaction is rolled back and nothing changes
 */
export async function ensureDatabaseUser(client: ClientBase, spec: DatabaseUserSpec): Promise<string[]> {
  const user = escapeIdentifier(spec.userName);
  const database = escapeIdentifier(spec.databaseName);
  const statements: string[] = [];
  const run = async (sql: string) => {
    statements.push(sql);
    await client.query(sql);
  };
  await client.query('BEGIN');
  try {
    const existing = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [spec.userName]);
    await run(existing.rowCount === 0 ? `CREATE ROLE ${user} LOGIN` : `ALTER ROLE ${user} LOGIN`);
    await run(`GRANT ${escapeIdentifier(spec.iamRole ?? 'rds_iam')} TO ${user}`);
    await run(`GRANT ${user} TO CURRENT_USER WITH INHERIT FALSE, SET TRUE`);
    const owned = await client.query<{ kind: string; name: string; schema: string }>(OWNED_BY_CURRENT_USER);
    // In an order each step's checks allow, all as the master user: the new owner of an object needs CREATE on its
    // schema (granted first, by the schema's owner); a schema's new owner is checked for CREATE on the database as
    // the current user, so schemas move while the master user still owns the database, which moves last.
    const [schemaRows, objectRows] = [
      owned.rows.filter((row) => row.kind === 'SCHEMA'),
      owned.rows.filter((row) => row.kind !== 'SCHEMA'),
    ];
    // The sequences that follow the tables to hand over (serial and identity columns), read while the names resolve.
    const tables = objectRows
      .filter((row) => row.kind === 'TABLE' || row.kind === 'FOREIGN TABLE')
      .map((row) => row.name);
    const ownedSequences = await client.query<{ name: string }>(OWNED_SEQUENCES, [tables]);
    for (const schema of [...new Set(objectRows.map((row) => row.schema))].sort()) {
      await run(`GRANT CREATE ON SCHEMA ${escapeIdentifier(schema)} TO ${user}`);
    }
    for (const { kind, name } of [...objectRows, ...schemaRows]) await run(`ALTER ${kind} ${name} OWNER TO ${user}`);
    const owner = await client.query<{ owner: string }>(
      'SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = current_database()',
    );
    if (owner.rows[0]?.owner !== spec.userName) await run(`ALTER DATABASE ${database} OWNER TO ${user}`);
    const relations = objectRows.filter((row) => RELATION_KINDS.has(row.kind));
    if (relations.length > 0) {
      // As the new owner, on exactly what was handed over: the master user keeps no privilege of its own there.
      await run(`SET LOCAL ROLE ${user}`);
      for (const schema of [...new Set(relations.map((row) => row.schema))].sort()) {
        await run(`GRANT USAGE ON SCHEMA ${escapeIdentifier(schema)} TO SESSION_USER`);
      }
      for (const { kind, name } of relations) {
        const privileges =
          kind === 'SEQUENCE'
            ? 'USAGE, SELECT, UPDATE'
            : kind === 'MATERIALIZED VIEW'
              ? 'SELECT'
              : 'SELECT, INSERT, UPDATE, DELETE';
        await run(`GRANT ${privileges} ON ${kind === 'SEQUENCE' ? 'SEQUENCE' : 'TABLE'} ${name} TO SESSION_USER`);
      }
      for (const { name } of ownedSequences.rows) {
        await run(`GRANT USAGE, SELECT, UPDATE ON SEQUENCE ${name} TO SESSION_USER`);
      }
      await run('RESET ROLE');
    }
    await run(`REVOKE ${user} FROM CURRENT_USER`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
  return statements;
}

/** The kinds of `OWNED_BY_CURRENT_USER` that hold rows the master user may still read and write meanwhile. */
const RELATION_KINDS = new Set(['TABLE', 'FOREIGN TABLE', 'VIEW', 'MATERIALIZED VIEW', 'SEQUENCE']);

/** The sequences owned by a column of the tables named in $1 (serial and identity columns), quoted and qualified. */
const OWNED_SEQUENCES = `
SELECT s.oid::regclass::text AS name FROM pg_class s
  JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid AND d.refclassid = 'pg_class'::regclass
WHERE s.relkind = 'S' AND d.deptype IN ('a', 'i') AND d.refobjid = ANY($1::text[]::regclass[])
ORDER BY 1`;

/**
 * What the current user owns in the current database that a service's migrations create: schemas first (a new owner of
 * a relation needs CREATE on its schema), then relations, standalone sequences (a sequence owned by a column follows
 * its table), routines (functions, procedures, aggregates) and types (enums, domains, ranges and standalone composite types; array, multirange and row
 * types follow theirs; partitions are listed one by one, since a partitioned table's change of owner does not reach
 * them). Names come quoted and qualified from the reg* casts. Catalog and extension objects are left.
 */
const OWNED_BY_CURRENT_USER = `
WITH me AS (SELECT oid FROM pg_roles WHERE rolname = current_user),
user_schemas AS (
  SELECT oid, nspname, nspowner FROM pg_namespace
  WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\\_toast%' AND nspname NOT LIKE 'pg\\_temp%'
),
extension_members AS (SELECT classid, objid FROM pg_depend WHERE deptype = 'e')
SELECT kind, name, schema FROM (
  SELECT 0 AS step, 'SCHEMA' AS kind, quote_ident(s.nspname) AS name, s.nspname AS schema FROM user_schemas s, me
  WHERE s.nspowner = me.oid
    AND NOT EXISTS (SELECT 1 FROM extension_members e WHERE e.classid = 'pg_namespace'::regclass AND e.objid = s.oid)
  UNION ALL
  SELECT 1, CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE'
    WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, c.oid::regclass::text, s.nspname
  FROM pg_class c JOIN user_schemas s ON s.oid = c.relnamespace, me
  WHERE c.relowner = me.oid AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
      AND d.objsubid = 0 AND (d.deptype = 'e'
        OR (c.relkind = 'S' AND d.deptype IN ('a', 'i') AND d.refclassid = 'pg_class'::regclass)))
  UNION ALL
  SELECT 2, CASE p.prokind WHEN 'a' THEN 'AGGREGATE' ELSE 'ROUTINE' END, p.oid::regprocedure::text, s.nspname
  FROM pg_proc p JOIN user_schemas s ON s.oid = p.pronamespace, me
  WHERE p.proowner = me.oid AND p.prokind IN ('f', 'p', 'a')
    AND NOT EXISTS (SELECT 1 FROM extension_members e WHERE e.classid = 'pg_proc'::regclass AND e.objid = p.oid)
  UNION ALL
  SELECT 3, CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, t.oid::regtype::text, s.nspname
  FROM pg_type t JOIN user_schemas s ON s.oid = t.typnamespace, me
  WHERE t.typowner = me.oid
    AND (t.typtype IN ('e', 'd', 'r')
      OR (t.typtype = 'c' AND EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind = 'c')))
    AND NOT EXISTS (SELECT 1 FROM extension_members e WHERE e.classid = 'pg_type'::regclass AND e.objid = t.oid)
) owned
ORDER BY step, name`;
