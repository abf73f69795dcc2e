/**
 * The sessiongen repository the benchmark's sessiongen servers use: the Redis store on the client
 * `BENCH_REDIS_CLIENT` names (`node-redis`, the default and the faster of the two in bench/redis.ts,
 * or `ioredis`).
 * Which Redis client the store runs on is decided here and nowhere else.
 * `BENCH_SESSIONGEN_STORE=memory` puts the memory store there instead: a diagnostic that shows what
 * the HTTP path itself costs, without any Redis client (not one of the benchmark's figures).
 */
import { MemorySessionStore } from '@sessiongen/runtime';
import * as redis from '@sessiongen/runtime/redis';
import { AppSessionRepository, appSessionDescriptor } from '../../generated/index.js';
import { env } from './common.js';

export const redisClientName = process.env.BENCH_REDIS_CLIENT ?? 'node-redis';

function redisClient(): redis.RedisClient {
  if (redisClientName === 'ioredis') return redis.createRedisSessionClient({ url: env.redisUrl });
  if (redisClientName === 'node-redis') return redis.createNodeRedisSessionClient({ url: env.redisUrl });
  throw new Error(`BENCH_REDIS_CLIENT=${redisClientName}: the Redis store takes ioredis or node-redis`);
}

export async function openRepository(name: string): Promise<AppSessionRepository> {
  if (process.env.BENCH_SESSIONGEN_STORE === 'memory') return new AppSessionRepository(new MemorySessionStore(appSessionDescriptor));
  const store = await redis.RedisSessionStore.open(appSessionDescriptor, redisClient(), { keyPrefix: `${env.prefix}:${name}`, keyspaceNotifications: 'off' });
  return new AppSessionRepository(store);
}
