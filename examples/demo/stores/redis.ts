import type { SessionStore } from '@sessiongen/runtime';
import { openRedisStoreFromEnv } from '@sessiongen/runtime/redis';
import { appSessionDescriptor } from '../../../generated/index.js';

/**
 * SESSION_STORE=redis: the standalone Redis at REDIS_URL (default redis://127.0.0.1:6379).
 * REDIS_KEY_PREFIX overrides the schema's key prefix (`app:session`).
 */
export async function openRedisStore(env: NodeJS.ProcessEnv): Promise<SessionStore> {
  return openRedisStoreFromEnv(appSessionDescriptor, { ...env, REDIS_CLUSTER_NODES: undefined }, prefixFrom(env));
}

/** SESSION_STORE=redis-cluster: the Redis Cluster at REDIS_CLUSTER_NODES (`host:port,host:port,…`). */
export async function openRedisClusterStore(env: NodeJS.ProcessEnv): Promise<SessionStore> {
  return openRedisStoreFromEnv(appSessionDescriptor, env, { ...prefixFrom(env), cluster: true });
}

function prefixFrom(env: NodeJS.ProcessEnv): { keyPrefix?: string } {
  return env.REDIS_KEY_PREFIX ? { keyPrefix: env.REDIS_KEY_PREFIX } : {};
}
