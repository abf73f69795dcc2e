/**
 * Spring-layout stores for the tests: the machine's Redis (6379) under a namespace of the run's own,
 * and SQL tables of the run's own made by the generated Spring migration. Closing deletes exactly
 * those keys and tables.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Knex } from 'knex';
import type { SessionDescriptor } from '@sessiongen/runtime';
import { createRedisSessionClient } from '@sessiongen/runtime/redis';
import { migrateSqlSchema } from '@sessiongen/runtime/sql';
import { SpringJdbcSessionStore, SpringRedisSessionStore, type SpringJdbcStoreOptions, type SpringRedisStoreOptions } from '@sessiongen/runtime/spring';
import { appSessionDescriptor } from '../../generated/index.js';
import { appSessionSpringSqlMigrations } from '../../generated/spring/sql/migrations.js';
import { keysUnder, STANDALONE_URL } from '../redis/helpers.js';
import { openKnex, type LiveDialect } from '../sql/live.js';

/** `spring:session:t<hex>`: Spring's namespace with a suffix of this run's own. */
export function uniqueNamespace(): string {
  return `spring:session:t${randomBytes(6).toString('hex')}`;
}

/** `SG_SPRING_<HEX>`: an upper-case table name of this run's own, as a Java app would name it. */
export function uniqueSpringTable(): string {
  return `SG_SPRING_${randomBytes(5).toString('hex').toUpperCase()}`;
}

export interface OpenedSpringRedis {
  store: SpringRedisSessionStore;
  client: Redis;
  namespace: string;
  close(): Promise<void>;
}

export async function openSpringRedis(options: SpringRedisStoreOptions = {}, descriptor: SessionDescriptor = appSessionDescriptor): Promise<OpenedSpringRedis> {
  const namespace = options.namespace ?? uniqueNamespace();
  const client = createRedisSessionClient({ url: STANDALONE_URL }) as Redis;
  const store = await SpringRedisSessionStore.open(descriptor, client, { cleanupIntervalMs: false, ...options, namespace });
  return {
    store,
    client,
    namespace,
    close: async () => {
      await store.close();
      for (const key of await keysUnder(client, namespace)) await client.del(key);
      await client.quit();
    },
  };
}

export interface OpenedSpringJdbc {
  store: SpringJdbcSessionStore;
  knex: Knex;
  table: string;
  close(): Promise<void>;
}

/** Spring's tables for a run of the tests, made by the generated migration; `close` drops them and the migration bookkeeping. */
export async function openSpringJdbc(kind: LiveDialect, options: SpringJdbcStoreOptions = {}, descriptor: SessionDescriptor = appSessionDescriptor): Promise<OpenedSpringJdbc> {
  const knex = openKnex(kind, { pool: 8 });
  const table = options.table ?? uniqueSpringTable();
  await migrateSqlSchema(knex, appSessionSpringSqlMigrations, { table });
  const store = new SpringJdbcSessionStore(descriptor, knex, { cleanupIntervalMs: false, ...options, table });
  return {
    store,
    knex,
    table,
    close: async () => {
      await store.close();
      await dropSpringTables(knex, table);
      await knex.destroy();
    },
  };
}

export async function dropSpringTables(knex: Knex, table: string): Promise<void> {
  await knex.raw(`DROP TABLE IF EXISTS ${table}_MOVED_IDS`);
  await knex.raw(`DROP TABLE IF EXISTS ${table}_ATTRIBUTES`);
  await knex.raw(`DROP TABLE IF EXISTS ${table}`);
  for (const name of [`${table}_migrations`, `${table}_migrations_lock`]) await knex.schema.dropTableIfExists(name);
}
