import type { Knex } from 'knex';
import type { SqlDialect, SqlDialectName } from './dialect.js';
import { mariadbDialect, mysqlDialect } from './mysql.js';
import { postgresDialect } from './postgres.js';
import { sqliteDialect } from './sqlite.js';

export const SQL_DIALECTS: Readonly<Record<SqlDialectName, SqlDialect>> = {
  postgres: postgresDialect,
  mariadb: mariadbDialect,
  mysql: mysqlDialect,
  sqlite: sqliteDialect,
};

const BY_CLIENT: Record<string, SqlDialectName | 'mysql-family'> = {
  'better-sqlite3': 'sqlite',
  sqlite3: 'sqlite',
  pg: 'postgres',
  postgres: 'postgres',
  postgresql: 'postgres',
  mysql: 'mysql-family',
  mysql2: 'mysql-family',
};

/** The knex client name of a knex instance (`pg`, `mysql2`, `better-sqlite3`). */
export function knexClientName(knex: Knex): string {
  const client = knex.client.config.client;
  return typeof client === 'string' ? client : String(knex.client.dialect ?? client);
}

/**
 * The dialect for a knex instance. For a `mysql2` client the server decides between MySQL and
 * MariaDB (their upserts differ), so that asks the server once: `SELECT VERSION()`.
 */
export async function detectDialect(knex: Knex, explicit?: SqlDialectName): Promise<SqlDialect> {
  if (explicit) return SQL_DIALECTS[explicit];
  const client = knexClientName(knex);
  const kind = BY_CLIENT[client];
  if (!kind) throw new Error(`sql store: no dialect for knex client '${client}' (supported: ${Object.keys(BY_CLIENT).join(', ')})`);
  if (kind !== 'mysql-family') return SQL_DIALECTS[kind];
  const result = (await knex.raw('SELECT VERSION() AS v')) as unknown as [Array<{ v: string }>];
  return /mariadb/i.test(String(result[0][0]?.v)) ? mariadbDialect : mysqlDialect;
}

/** The dialect when the knex client alone decides it (`mysql2` means MariaDB unless told otherwise). */
export function dialectFor(knex: Knex, explicit?: SqlDialectName): SqlDialect {
  if (explicit) return SQL_DIALECTS[explicit];
  const kind = BY_CLIENT[knexClientName(knex)];
  if (!kind) throw new Error(`sql store: no dialect for knex client '${knexClientName(knex)}' (supported: ${Object.keys(BY_CLIENT).join(', ')})`);
  return kind === 'mysql-family' ? mariadbDialect : SQL_DIALECTS[kind];
}

export { memberPath } from './dialect.js';
export type { SqlDialect, SqlDialectName, SqlExecutor, SqlFragment, SqlResult } from './dialect.js';
