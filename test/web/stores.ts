/**
 * Real stores for the web tests: SQLite (in-memory, through knex) and the machine's Redis (through
 * ioredis, and through node-redis), each behind an {@link InstrumentedStore} that records calls, flags any id the id generator would
 * reject, and can be slowed down or taken down.
 */
import { randomBytes } from 'node:crypto';
import knexFactory from 'knex';
import type { RepositoryOptions, SessionStore } from '@sessiongen/runtime';
import { createNodeRedisSessionClient, createRedisSessionClient, RedisSessionStore } from '@sessiongen/runtime/redis';
import { migrateSqlSchema, SqlSessionStore } from '@sessiongen/runtime/sql';
import { AppSessionRepository, appSessionDescriptor } from '../../generated/index.js';
import { appSessionSqlMigrations } from '../../generated/sql/migrations/index.js';
import { closeClient } from '../redis/helpers.js';
import { InstrumentedStore } from './instrumented-store.js';

export { InstrumentedStore, type StoreCall } from './instrumented-store.js';

/** `redis` goes through ioredis, `redis-node` through node-redis: one store, both client libraries it takes. */
export type StoreKind = 'sqlite' | 'redis' | 'redis-node';
export const STORE_KINDS: StoreKind[] = ['sqlite', 'redis', 'redis-node'];
/** A database of its own (db 7): the machine's db 0 holds millions of other suites' keys, which SCAN would crawl. */
export const REDIS_URL = process.env.WEB_REDIS_URL ?? 'redis://127.0.0.1:6379/7';

export interface OpenedRealStore {
  kind: StoreKind;
  /** The raw store (SqlSessionStore or RedisSessionStore). */
  raw: SessionStore;
  close(): Promise<void>;
}

/** A fresh SQLite database or a Redis key prefix of its own. */
export async function openRealStore(kind: StoreKind): Promise<OpenedRealStore> {
  if (kind === 'sqlite') {
    const knex = knexFactory({ client: 'better-sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true, pool: { min: 1, max: 1 } });
    await migrateSqlSchema(knex, appSessionSqlMigrations);
    const raw = new SqlSessionStore(appSessionDescriptor, knex, { cleanupIntervalMs: false });
    return {
      kind,
      raw,
      close: async () => {
        await raw.close();
        await knex.destroy();
      },
    };
  }
  const prefix = `${appSessionDescriptor.redis.keyPrefix}:web${randomBytes(6).toString('hex')}`;
  const client = kind === 'redis' ? createRedisSessionClient({ url: REDIS_URL }) : createNodeRedisSessionClient({ url: REDIS_URL });
  // The tests' own ioredis client for cleaning up, whichever library the store uses.
  const admin = createRedisSessionClient({ url: REDIS_URL });
  let raw: RedisSessionStore;
  try {
    raw = await RedisSessionStore.open(appSessionDescriptor, client, { keyPrefix: prefix });
  } catch (err) {
    await closeClient(client);
    admin.disconnect();
    throw new Error(`the web tests need Redis at ${REDIS_URL} (start redis-server, or set WEB_REDIS_URL): ${(err as Error).message}`);
  }
  return {
    kind,
    raw,
    close: async () => {
      let cursor = '0';
      do {
        const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await admin.del(...keys);
      } while (cursor !== '0');
      await raw.close();
      await closeClient(client);
      await admin.quit();
    },
  };
}

/** An instrumented AppSessionRepository over a real store. */
export async function openRepository(kind: StoreKind, options: RepositoryOptions = {}) {
  const opened = await openRealStore(kind);
  const store = new InstrumentedStore(opened.raw);
  const repository = new AppSessionRepository(store, options);
  return { repository, store, raw: opened.raw, close: opened.close };
}

export type OpenedRepository = Awaited<ReturnType<typeof openRepository>>;
