/**
 * The demo's SQL stores: SESSION_STORE=postgres | mariadb | mysql | sqlite, DATABASE_URL for the
 * connection (PostgreSQL `postgres://…`, MariaDB/MySQL `mysql://…` or `mariadb://…`, SQLite a file
 * path or `file:` URL, default `.data/sessions.db`). The tables are created, and kept current, by
 * applying the generated migrations before the store opens.
 */
import type { SessionStore } from '@sessiongen/runtime';
import { openSqlStoreFromEnv } from '@sessiongen/runtime/sql';
import { appSessionDescriptor } from '../../../generated/index.js';
import { appSessionSqlMigrations } from '../../../generated/sql/migrations/index.js';

export const SQL_STORE_KINDS = ['postgres', 'mariadb', 'mysql', 'sqlite'] as const;

/** Opens the SQL store `env.SESSION_STORE` names (default sqlite); its `close` also closes the connection pool. */
export async function openSqlStore(env: NodeJS.ProcessEnv): Promise<SessionStore> {
  const url = env.DATABASE_URL?.startsWith('file:') ? new URL(env.DATABASE_URL).pathname : env.DATABASE_URL;
  const opened = await openSqlStoreFromEnv(appSessionDescriptor, {
    env: { ...env, SESSION_STORE: env.SESSION_STORE ?? 'sqlite', DATABASE_URL: url },
    migrations: appSessionSqlMigrations,
  });
  if (opened.applied.length > 0) console.log(`sessiongen demo: applied SQL migrations ${opened.applied.join(', ')}`);
  const store = opened.store;
  store.close = opened.close;
  return store;
}

/** SQLite from DATABASE_URL (a file path or `file:` URL), default `.data/sessions.db`. */
export function openSqliteStore(env: NodeJS.ProcessEnv): Promise<SessionStore> {
  return openSqlStore({ ...env, SESSION_STORE: 'sqlite' });
}
