/**
 * The sessiongen repository the benchmark's sessiongen servers use: the Redis store on the client
 * `BENCH_REDIS_CLIENT` names. Which Redis client the store runs on is decided here and nowhere else.
 * `BENCH_SESSIONGEN_STORE=memory` puts the memory store there instead: a diagnostic that shows what
 * the HTTP path itself costs, without any Redis client (not one of the benchmark's figures).
 */
import { MemorySessionStore } from '@sessiongen/runtime';
import { createRedisSessionClient, RedisSessionStore } from '@sessiongen/runtime/redis';
import { AppSessionRepository, appSessionDescriptor } from '../../generated/index.js';
import { env } from './common.js';

export const redisClientName = process.env.BENCH_REDIS_CLIENT ?? 'ioredis';

export async function openRepository(name: string): Promise<AppSessionRepository> {
  if (process.env.BENCH_SESSIONGEN_STORE === 'memory') return new AppSessionRepository(new MemorySessionStore(appSessionDescriptor));
  if (redisClientName !== 'ioredis') throw new Error(`BENCH_REDIS_CLIENT=${redisClientName}: the Redis store takes an ioredis client`);
  const client = createRedisSessionClient({ url: env.redisUrl });
  const store = await RedisSessionStore.open(appSessionDescriptor, client, { keyPrefix: `${env.prefix}:${name}`, keyspaceNotifications: 'off' });
  return new AppSessionRepository(store);
}
