import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Knex } from 'knex';
import { loadOptionalDependency } from '../../core/optional-dependency.js';
import type { SessionDescriptor } from '../../core/descriptor.js';
import { pinnedDialect, sqlDialectNamed, SQL_STORE_DIALECTS, type SqlDialectName } from './dialects/index.js';
import { migrateSqlSchema, type MigrateOptions, type SqlMigration } from './migrations.js';
import { SqlSessionStore, type SqlStoreOptions } from './sql-store.js';
import { DEFAULT_SQLITE_SYNCHRONOUS, type SqliteSynchronous } from './dialects/sqlite/executor.js';

export interface SqlStoreFromEnv {
  store: SqlSessionStore;
  knex: Knex;
  /** The migrations applied on open (empty when the database was up to date). */
  applied: string[];
  close(): Promise<void>;
}

/**
 * `SQLITE_SYNCHRONOUS` from the environment: `NORMAL` (the default when unset) or `FULL`; anything
 * else is an error that says what it may be.
 */
export function sqliteSynchronousFromEnv(env: NodeJS.ProcessEnv = process.env): SqliteSynchronous {
  const value = env.SQLITE_SYNCHRONOUS?.trim().toUpperCase();
  if (value === undefined || value === '') return DEFAULT_SQLITE_SYNCHRONOUS;
  if (value === 'NORMAL' || value === 'FULL') return value;
  throw new Error(`SQLITE_SYNCHRONOUS='${env.SQLITE_SYNCHRONOUS}': NORMAL (the default) or FULL`);
}

/**
 * A knex config for a store kind and URL: `postgres://…` (pg), `mysql://…` or `mariadb://…`
 * (mysql2), and for SQLite a file path (`sqlite:path` or a bare path; default `.data/sessions.db`),
 * one connection in WAL mode at `synchronous` (default NORMAL) with a 5 s busy timeout.
 */
export function sqlKnexConfigFromUrl(kind: SqlDialectName, url: string | undefined, poolSize = 10, synchronous: SqliteSynchronous = DEFAULT_SQLITE_SYNCHRONOUS): Knex.Config {
  const dialect = sqlDialectNamed(kind)!;
  const client = dialect.knexClients[0];
  if (kind === 'postgres') {
    return { client, connection: url ?? 'postgres://postgres@127.0.0.1:5432/test', pool: { min: 0, max: poolSize } };
  }
  if (kind === 'mariadb' || kind === 'mysql') {
    const connection = (url ?? 'mysql://root@127.0.0.1:3306/test').replace(/^mariadb:/, 'mysql:');
    return { client, connection, pool: { min: 0, max: poolSize } };
  }
  const filename = (url ?? '.data/sessions.db').replace(new RegExp(`^(${dialect.urlSchemes.join('|')}):(//)?`), '');
  if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
  return {
    client,
    connection: { filename },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      afterCreate: (db: { pragma(text: string): unknown }, done: (err: Error | null, db: unknown) => void) => {
        db.pragma('journal_mode = WAL');
        db.pragma(`synchronous = ${synchronous}`);
        db.pragma('busy_timeout = 5000');
        done(null, db);
      },
    },
  };
}

/**
 * Opens the SQL store an app's environment names: `SESSION_STORE` = postgres | mariadb | mysql |
 * sqlite, `DATABASE_URL` for the connection, for SQLite `SQLITE_SYNCHRONOUS` (NORMAL or FULL; an
 * explicit `sqliteSynchronous` option wins). With `migrations` (the generated
 * `<name>SqlMigrations`), applies the pending ones first, so the tables exist.
 */
export async function openSqlStoreFromEnv(
  descriptor: SessionDescriptor,
  options: SqlStoreOptions & { migrations?: readonly SqlMigration[]; env?: NodeJS.ProcessEnv; poolSize?: number; migrate?: MigrateOptions } = {},
): Promise<SqlStoreFromEnv> {
  const env = options.env ?? process.env;
  const kindName = (env.SESSION_STORE ?? 'sqlite').toLowerCase();
  const entry = sqlDialectNamed(kindName);
  if (!entry) throw new Error(`SESSION_STORE='${kindName}' is not a SQL store (${SQL_STORE_DIALECTS.map((each) => each.name).join(', ')})`);
  const dialect = pinnedDialect(entry);
  const knexFactory = loadOptionalDependency<(config: Knex.Config) => Knex>('knex', 'the SQL session store');
  const synchronous = options.sqliteSynchronous ?? sqliteSynchronousFromEnv(env);
  const knex = knexFactory(sqlKnexConfigFromUrl(entry.statements!.name, env.DATABASE_URL, options.poolSize, synchronous));
  try {
    const applied = options.migrations
      ? await migrateSqlSchema(knex, options.migrations, { table: options.table, dialect, ...options.migrate })
      : [];
    const store = new SqlSessionStore(descriptor, knex, { ...options, dialect: options.dialect ?? dialect, sqliteSynchronous: synchronous });
    const closeStore = store.close.bind(store);
    return {
      store,
      knex,
      applied,
      close: async () => {
        await closeStore();
        await knex.destroy();
      },
    };
  } catch (err) {
    await knex.destroy();
    throw err;
  }
}
