/** Shared helpers for the SQL tests: connections to the live databases and per-run table names. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { sqlMovedIdsTableNames, type SqlDialectName } from '@sessiongen/runtime/sql';

export const LIVE_DIALECTS = ['postgres', 'mariadb', 'sqlite'] as const satisfies readonly SqlDialectName[];
export type LiveDialect = (typeof LIVE_DIALECTS)[number];

export const POSTGRES_URL = process.env.SESSIONGEN_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const MARIADB_URL = process.env.SESSIONGEN_TEST_MARIADB_URL ?? 'mysql://root@127.0.0.1:3306/test';

/** A table name no other run uses: `sg_<what>_<12 hex>`. */
export function uniqueTable(what: string): string {
  return `sg_${what}_${randomBytes(6).toString('hex')}`;
}

/** A SQLite file in a fresh temp folder (several connections can share it, unlike `:memory:`). */
export function sqliteFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'sessiongen-sqlite-')), 'sessions.db');
}

export function urlFor(dialect: LiveDialect, sqlitePath?: string): string {
  return dialect === 'postgres' ? POSTGRES_URL : dialect === 'mariadb' ? MARIADB_URL.replace(/^mysql:/, 'mariadb:') : (sqlitePath ?? sqliteFile());
}

/** A knex instance on a live database; SQLite in WAL mode with a busy timeout. */
export function openKnex(dialect: LiveDialect, options: { pool?: number; sqlitePath?: string } = {}): Knex {
  const max = options.pool ?? 4;
  if (dialect === 'postgres') return knexFactory({ client: 'pg', connection: POSTGRES_URL, pool: { min: 0, max } });
  if (dialect === 'mariadb') return knexFactory({ client: 'mysql2', connection: MARIADB_URL, pool: { min: 0, max } });
  return knexFactory({
    client: 'better-sqlite3',
    connection: { filename: options.sqlitePath ?? ':memory:' },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      afterCreate: (db: { pragma(s: string): unknown }, done: (err: Error | null, db: unknown) => void) => {
        db.pragma('journal_mode = WAL');
        db.pragma('busy_timeout = 10000');
        done(null, db);
      },
    },
  });
}

/** Drops a session table and the migration bookkeeping tables made for it. */
export async function dropTables(knex: Knex, table: string): Promise<void> {
  for (const name of [table, sqlMovedIdsTableNames(table).table, `${table}_migrations`, `${table}_migrations_lock`]) await knex.schema.dropTableIfExists(name);
}
