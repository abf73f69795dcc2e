import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import knexFactory from 'knex';
import { applySqlSchema, SqlSessionStore, type SessionStore } from 'sessiongen/runtime';
import { appSessionDescriptor, appSessionSqlSchema } from '../../../generated/index.js';

/** SQLite from DATABASE_URL (a file path or `file:` URL), default `.data/sessions.db`. */
export async function openSqliteStore(env: NodeJS.ProcessEnv): Promise<SessionStore> {
  const url = env.DATABASE_URL ?? '.data/sessions.db';
  const filename = url.startsWith('file:') ? new URL(url).pathname : url;
  if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
  const knex = knexFactory({ client: 'better-sqlite3', connection: { filename }, useNullAsDefault: true, pool: { min: 1, max: 1 } });
  await knex.raw('PRAGMA journal_mode = WAL');
  await applySqlSchema(knex, appSessionSqlSchema.sqlite!);
  const store = new SqlSessionStore(appSessionDescriptor, knex);
  const close = store.close.bind(store);
  store.close = async () => {
    await close();
    await knex.destroy();
  };
  return store;
}
