import type { Cluster, Redis } from 'ioredis';
import type { RedisCommands } from './commands.js';
import { IoRedisCommands, isIoRedisClient } from './clients/ioredis.js';
import { isNodeRedisClient, NodeRedisCommands, type NodeRedisClient, type NodeRedisCluster } from './clients/node-redis.js';

/** A client the Redis store takes: ioredis (`Redis`, `Cluster`) or node-redis 5 (`createClient`, `createCluster`). */
export type RedisClient = Redis | Cluster | NodeRedisClient | NodeRedisCluster;

function isRedisCommands(value: unknown): value is RedisCommands {
  const c = value as Partial<RedisCommands> | null;
  return typeof c === 'object' && c !== null && typeof c.evalScript === 'function' && typeof c.watchNodes === 'function';
}

/**
 * The store's {@link RedisCommands} for what the app passed: a client of either library, told
 * apart by its shape (neither library is loaded here), or commands of the app's own making.
 */
export function redisCommandsFor(client: RedisClient | RedisCommands, commandTimeoutMs: number | false): RedisCommands {
  if (isRedisCommands(client)) return client;
  if (isIoRedisClient(client)) return new IoRedisCommands(client, commandTimeoutMs);
  if (isNodeRedisClient(client)) return new NodeRedisCommands(client, commandTimeoutMs);
  throw new TypeError(
    'RedisSessionStore takes an ioredis client (Redis or Cluster), a node-redis 5 client (createClient or createCluster) or RedisCommands',
  );
}
