import type { Knex } from 'knex';
import type { SqlDdl, SqlDdlDialectName, SqlDialect, SqlDialectName } from './dialect.js';
import { mariadbDdl } from './mariadb/ddl.js';
import { mariadbDialect } from './mariadb/statements.js';
import { mssqlDdl } from './mssql/ddl.js';
import { mysqlDdl } from './mysql/ddl.js';
import { mysqlDialect } from './mysql/statements.js';
import { oracleDdl } from './oracle/ddl.js';
import { postgresDdl } from './postgres/ddl.js';
import { postgresDialect } from './postgres/statements.js';
import { sqliteDdl } from './sqlite/ddl.js';
import { sqliteDialect } from './sqlite/statements.js';

/** One SQL dialect: how to reach it, whether the tests run it, its DDL and its run-time statements. */
export interface SqlDialectEntry {
  readonly name: SqlDdlDialectName;
  /**
   * The knex client names that reach it; the first is the one sessiongen opens connections with.
   * Where several dialects share a client (`mysql2`: MySQL and MariaDB), the server tells which.
   */
  readonly knexClients: readonly string[];
  /** The schemes of its connection URLs (`DATABASE_URL`, `sessiongen migrate --url`). */
  readonly urlSchemes: readonly string[];
  /** Whether the tests here run it on a live server; otherwise it is emitted and golden-tested only. */
  readonly live: boolean;
  readonly ddl: SqlDdl;
  /** The store's statements; absent where sessiongen emits the DDL but the store does not run. */
  readonly statements?: SqlDialect;
  /** For a shared knex client: what the server's `SELECT VERSION()` says for this dialect. */
  readonly version?: RegExp;
}

/** Every SQL dialect, in the order the generator emits them. */
export const SQL_DIALECTS: readonly SqlDialectEntry[] = [
  { name: 'postgres', knexClients: ['pg', 'postgres', 'postgresql'], urlSchemes: ['postgres', 'postgresql'], live: true, ddl: postgresDdl, statements: postgresDialect },
  { name: 'mysql', knexClients: ['mysql2', 'mysql'], urlSchemes: ['mysql'], live: false, ddl: mysqlDdl, statements: mysqlDialect },
  { name: 'mariadb', knexClients: ['mysql2', 'mysql'], urlSchemes: ['mariadb'], live: true, ddl: mariadbDdl, statements: mariadbDialect, version: /mariadb/i },
  { name: 'sqlite', knexClients: ['better-sqlite3', 'sqlite3'], urlSchemes: ['sqlite', 'file'], live: true, ddl: sqliteDdl, statements: sqliteDialect },
  { name: 'mssql', knexClients: ['mssql'], urlSchemes: ['mssql', 'sqlserver'], live: false, ddl: mssqlDdl },
  { name: 'oracle', knexClients: ['oracledb'], urlSchemes: ['oracle'], live: false, ddl: oracleDdl },
];

/** The dialects the store runs on. */
export const SQL_STORE_DIALECTS = SQL_DIALECTS.filter((entry): entry is SqlDialectEntry & { statements: SqlDialect } => entry.statements !== undefined);

/** The store's statements for a dialect. */
export function sqlStatements(name: SqlDialectName): SqlDialect {
  return SQL_STORE_DIALECTS.find((entry) => entry.name === name)!.statements;
}

/** The dialect a word names: its name, else one of its URL schemes, else one of its knex clients (`pg`, `postgresql`, `mysql2`). */
export function sqlDialectNamed(word: string): SqlDialectEntry | undefined {
  const name = word.toLowerCase();
  return (
    SQL_DIALECTS.find((entry) => entry.name === name) ??
    SQL_DIALECTS.find((entry) => entry.urlSchemes.includes(name)) ??
    SQL_DIALECTS.find((entry) => entry.knexClients.includes(name))
  );
}

/** The dialect of a connection URL by its scheme; anything else (no URL, a bare path) is a SQLite file. */
export function sqlDialectOfUrl(url: string | undefined): SqlDialectEntry {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url ?? '')?.[1]?.toLowerCase();
  return SQL_DIALECTS.find((entry) => scheme !== undefined && entry.urlSchemes.includes(scheme)) ?? sqlDialectNamed('sqlite')!;
}

/** The dialects the store runs on through a knex client (two for `mysql2`). */
export function dialectsOfClient(client: string): ReadonlyArray<SqlDialectEntry & { statements: SqlDialect }> {
  return SQL_STORE_DIALECTS.filter((entry) => entry.knexClients.includes(client));
}

/**
 * The dialect to tell the store and the migrations for connections opened with `entry`'s knex
 * client: none where that client reaches several dialects (the server tells them apart), and an
 * error where the store does not run on it.
 */
export function pinnedDialect(entry: SqlDialectEntry): SqlDialectName | undefined {
  if (!entry.statements) {
    throw new Error(`sessiongen emits ${entry.name} DDL (generated/sql/${entry.name}.sql) but does not run sessions on it; the store runs on ${SQL_STORE_DIALECTS.map((each) => each.name).join(', ')}`);
  }
  return dialectsOfClient(entry.knexClients[0]!).length > 1 ? undefined : entry.statements.name;
}

/** The knex client name of a knex instance (`pg`, `mysql2`, `better-sqlite3`). */
export function knexClientName(knex: Knex): string {
  const client = knex.client.config.client;
  return typeof client === 'string' ? client : String(knex.client.dialect ?? client);
}

function candidates(client: string) {
  const found = dialectsOfClient(client);
  if (found.length > 0) return found;
  const known = [...new Set(SQL_STORE_DIALECTS.flatMap((entry) => entry.knexClients))].join(', ');
  const emitted = SQL_DIALECTS.find((entry) => entry.knexClients.includes(client));
  const why = emitted ? `${emitted.name} has emitted DDL only` : 'no dialect';
  throw new Error(`sql store: knex client '${client}': ${why} (supported: ${known})`);
}

/**
 * The dialect for a knex instance. Where its client reaches several dialects (`mysql2`: MySQL or
 * MariaDB, whose upserts differ), this asks the server once: `SELECT VERSION()`.
 */
export async function detectDialect(knex: Knex, explicit?: SqlDialectName): Promise<SqlDialect> {
  if (explicit) return sqlStatements(explicit);
  const found = candidates(knexClientName(knex));
  if (found.length === 1) return found[0]!.statements;
  // Only the MySQL family shares a client, and mysql2's raw result is [rows, fields].
  const result = (await knex.raw('SELECT VERSION() AS v')) as unknown as [Array<{ v: string }>];
  const version = String(result[0][0]?.v);
  return (found.find((entry) => entry.version?.test(version)) ?? found.find((entry) => !entry.version)!).statements;
}

/** The dialect when the knex client alone decides it (for a shared client, its first dialect until the server answers). */
export function dialectFor(knex: Knex, explicit?: SqlDialectName): SqlDialect {
  if (explicit) return sqlStatements(explicit);
  return candidates(knexClientName(knex))[0]!.statements;
}

export { memberPath } from './dialect.js';
export type { SqlDdl, SqlDdlDialectName, SqlDdlTemplates, SqlDialect, SqlDialectName, SqlExecutor, SqlFragment, SqlIndexColumn, SqlResult } from './dialect.js';
