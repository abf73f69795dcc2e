import { MemorySessionStore, type SessionStore } from '@sessiongen/runtime';
import { appSessionDescriptor } from '../../../generated/index.js';
import { openGeodeStore } from './geode.js';
import { openHazelcastStore } from './hazelcast.js';
import { openRedisClusterStore, openRedisStore } from './redis.js';
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

export async function openStore(env: NodeJS.ProcessEnv): Promise<SessionStore> {
  const kind = env.SESSION_STORE ?? 'sqlite';
  const open = OPENERS[kind];
  if (!open) throw new Error(`SESSION_STORE=${kind} is not one of: ${Object.keys(OPENERS).join(', ')}`);
  return open({ ...env, SESSION_STORE: kind });
}
