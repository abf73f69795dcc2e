/**
 * SESSION_COMPAT=spring: the demo on Spring Session's layouts, sharing its sessions (and its
 * `SESSION` cookie, in Spring's base64 form) with Java apps on Spring Session, for SESSION_STORE=
 * redis | postgres | mariadb | mysql | sqlite. REDIS_URL and DATABASE_URL as for the other stores;
 * SPRING_SESSION_NAMESPACE and SPRING_SESSION_TABLE override the schema's Spring names
 * (`spring:session`, `SPRING_SESSION`). The SQL tables are Spring's own plus sessiongen's id-change
 * markers, made by the generated migrations when missing.
 */
import type { Redis } from 'ioredis';
import type { SessionStore } from '@sessiongen/runtime';
import { createRedisSessionClient } from '@sessiongen/runtime/redis';
import { migrateSqlSchema, sqlKnexConfigFromUrl, sqliteSynchronousFromEnv, type SqlDialectName } from '@sessiongen/runtime/sql';
import { SpringJdbcSessionStore, SpringRedisSessionStore } from '@sessiongen/runtime/spring';
import { appSessionDescriptor } from '../../../generated/index.js';
import { appSessionSpringSqlMigrations } from '../../../generated/spring/sql/migrations.js';

export const SPRING_STORE_KINDS = ['redis', 'postgres', 'mariadb', 'mysql', 'sqlite'] as const;

/** Opens the Spring-layout store SESSION_STORE names; its `close` also closes the connections it opened. */
export async function openSpringStore(env: NodeJS.ProcessEnv): Promise<SessionStore> {
  const kind = env.SESSION_STORE ?? 'sqlite';
  if (!(SPRING_STORE_KINDS as readonly string[]).includes(kind)) {
    throw new Error(`SESSION_COMPAT=spring runs on SESSION_STORE=${SPRING_STORE_KINDS.join(', ')}, not ${kind}`);
  }
  return kind === 'redis' ? openSpringRedis(env) : openSpringSql(env);
}

async function openSpringRedis(env: NodeJS.ProcessEnv): Promise<SessionStore> {
  const client = createRedisSessionClient({ url: env.REDIS_URL ?? 'redis://127.0.0.1:6379' }) as Redis;
  let store: SpringRedisSessionStore;
  try {
    store = await SpringRedisSessionStore.open(appSessionDescriptor, client, env.SPRING_SESSION_NAMESPACE ? { namespace: env.SPRING_SESSION_NAMESPACE } : {});
  } catch (err) {
    client.disconnect();
    throw err;
  }
  const close = store.close.bind(store);
  store.close = async () => {
    await close();
    await client.quit().catch(() => client.disconnect());
  };
  return store;
}

async function openSpringSql(env: NodeJS.ProcessEnv): Promise<SessionStore> {
  const url = env.DATABASE_URL?.startsWith('file:') ? new URL(env.DATABASE_URL).pathname : env.DATABASE_URL;
  const table = env.SPRING_SESSION_TABLE ?? appSessionDescriptor.spring!.table;
  // knex is loaded only here, so a demo on Redis runs without it installed.
  const { default: knexFactory } = await import('knex');
  const knex = knexFactory(sqlKnexConfigFromUrl(env.SESSION_STORE as SqlDialectName, url, undefined, sqliteSynchronousFromEnv(env)));
  try {
    const applied = await migrateSqlSchema(knex, appSessionSpringSqlMigrations, { table });
    if (applied.length > 0) console.log(`sessiongen demo: applied Spring SQL migrations ${applied.join(', ')}`);
  } catch (err) {
    await knex.destroy();
    throw err;
  }
  const store = new SpringJdbcSessionStore(appSessionDescriptor, knex, { table });
  const close = store.close.bind(store);
  store.close = async () => {
    await close();
    await knex.destroy();
  };
  return store;
}
