/**
 * The sessiongen repository the benchmark's sessiongen servers use: the Redis store on the client
 * `BENCH_REDIS_CLIENT` names (`ioredis`, the default, or `node-redis` where the store takes one).
 * Which Redis client the store runs on is decided here and nowhere else.
 * `BENCH_SESSIONGEN_STORE=memory` puts the memory store there instead: a diagnostic that shows what
 * the HTTP path itself costs, without any Redis client (not one of the benchmark's figures).
 */
import { MemorySessionStore } from '@sessiongen/runtime';
import * as redis from '@sessiongen/runtime/redis';
import { AppSessionRepository, appSessionDescriptor } from '../../generated/index.js';
import { env } from './common.js';

export const redisClientName = process.env.BENCH_REDIS_CLIENT ?? 'ioredis';

function redisClient(): redis.RedisClient {
  if (redisClientName === 'ioredis') return redis.createRedisSessionClient({ url: env.redisUrl });
  // Looked up by name: a store that takes node-redis clients exports how to make one.
  const make = (redis as Record<string, unknown>).createNodeRedisSessionClient;
  if (redisClientName === 'node-redis' && typeof make === 'function') return make({ url: env.redisUrl }) as redis.RedisClient;
  throw new Error(`BENCH_REDIS_CLIENT=${redisClientName}: this build of the Redis store does not take that client`);
}

export async function openRepository(name: string): Promise<AppSessionRepository> {
  if (process.env.BENCH_SESSIONGEN_STORE === 'memory') return new AppSessionRepository(new MemorySessionStore(appSessionDescriptor));
  const store = await redis.RedisSessionStore.open(appSessionDescriptor, redisClient(), { keyPrefix: `${env.prefix}:${name}`, keyspaceNotifications: 'off' });
  return new AppSessionRepository(store);
}
