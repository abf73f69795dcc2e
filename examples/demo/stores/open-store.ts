import { MemorySessionStore, type SessionStore } from '@sessiongen/runtime';
import { appSessionDescriptor } from '../../../generated/index.js';
import { openGeodeStore } from './geode.js';
import { openHazelcastStore } from './hazelcast.js';
import { openRedisClusterStore, openRedisStore } from './redis.js';
import { openSpringStore } from './spring.js';
import { openSqlStore } from './sql.js';

/** The stores the demo can run on, by SESSION_STORE (connection settings: see each opener). */
const OPENERS: Record<string, (env: NodeJS.ProcessEnv) => Promise<SessionStore>> = {
  sqlite: openSqlStore,
  memory: async () => new MemorySessionStore(appSessionDescriptor),
  postgres: openSqlStore,
  mariadb: openSqlStore,
  mysql: openSqlStore,
  redis: openRedisStore,
  'redis-cluster': openRedisClusterStore,
  hazelcast: openHazelcastStore,
  geode: openGeodeStore,
};

/**
 * The store SESSION_STORE names, in sessiongen's own layout, or with SESSION_COMPAT=spring in
 * Spring Session's (see ./spring.ts).
 */
export async function openStore(env: NodeJS.ProcessEnv): Promise<SessionStore> {
  const kind = env.SESSION_STORE ?? 'sqlite';
  const compat = env.SESSION_COMPAT ?? '';
  if (compat === 'spring') return openSpringStore({ ...env, SESSION_STORE: kind });
  if (compat !== '') throw new Error(`SESSION_COMPAT=${compat} is not one of: spring (or unset: sessiongen's own layout)`);
  const open = OPENERS[kind];
  if (!open) throw new Error(`SESSION_STORE=${kind} is not one of: ${Object.keys(OPENERS).join(', ')}`);
  return open({ ...env, SESSION_STORE: kind });
}
