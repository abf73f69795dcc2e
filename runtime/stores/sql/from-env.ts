import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Knex } from 'knex';
import { loadOptionalDependency } from '../../core/optional-dependency.js';
import type { SessionDescriptor } from '../../core/descriptor.js';
import { pinnedDialect, sqlDialectNamed, SQL_STORE_DIALECTS, type SqlDialectName } from './dialects/index.js';
import { migrateSqlSchema, type MigrateOptions, type SqlMigration } from './migrations.js';
import { SqlSessionStore, type SqlStoreOptions } from './sql-store.js';

export interface SqlStoreFromEnv {
  store: SqlSessionStore;
  knex: Knex;
  /** The migrations applied on open (empty when the database was up to date). */
  applied: string[];
  close(): Promise<void>;
}

/**
 * A knex config for a store kind and URL: `postgres://…` (pg), `mysql://…` or `mariadb://…`
 * (mysql2), and for SQLite a file path (`sqlite:path` or a bare path; default `.data/sessions.db`).
 */
export function sqlKnexConfigFromUrl(kind: SqlDialectName, url: string | undefined, poolSize = 10): Knex.Config {
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
        db.pragma('busy_timeout = 5000');
        done(null, db);
      },
    },
  };
}

/**
 * Opens the SQL store an app's environment names: `SESSION_STORE` = postgres | mariadb | mysql |
 * sqlite, `DATABASE_URL` for the connection. With `migrations` (the generated
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
  const knex = knexFactory(sqlKnexConfigFromUrl(entry.statements!.name, env.DATABASE_URL, options.poolSize));
  try {
    const applied = options.migrations
      ? await migrateSqlSchema(knex, options.migrations, { table: options.table, dialect, ...options.migrate })
      : [];
    const store = new SqlSessionStore(descriptor, knex, { ...options, dialect: options.dialect ?? dialect });
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
