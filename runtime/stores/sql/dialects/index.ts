import type { Knex } from 'knex';
import type { SqlDialect } from './dialect.js';
import { sqliteDialect } from './sqlite.js';

const BY_CLIENT: Record<string, SqlDialect> = {
  'better-sqlite3': sqliteDialect,
  sqlite3: sqliteDialect,
};

/** The dialect for a knex instance, from its client name. */
export function dialectFor(knex: Knex): SqlDialect {
  const client = String(knex.client.config.client);
  const dialect = BY_CLIENT[client];
  if (!dialect) {
    throw new Error(`sql store: no dialect for knex client '${client}' (supported: ${Object.keys(BY_CLIENT).join(', ')})`);
  }
  return dialect;
}

export type { SqlDialect, SqlFragment } from './dialect.js';
