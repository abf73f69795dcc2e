/**
 * `@sessiongen/runtime/redis`: sessions in Redis or a Redis Cluster through ioredis or node-redis 5.
 * The client library is the app's own: this entry loads one only when it creates a client.
 */
export { RedisSessionStore, REDIS_SCRIPTS, DEFAULT_REDIS_COMMAND_TIMEOUT_MS, type RedisClient, type RedisStoreOptions, type NotificationState } from './redis-store.js';
export type { RedisCommands, RedisNode, RedisScript, RedisSubscription } from './commands.js';
export { redisCommandsFor } from './client.js';
export { IoRedisCommands } from './clients/ioredis.js';
export { NodeRedisCommands, type NodeRedisClient, type NodeRedisCluster } from './clients/node-redis.js';
export { DEFAULT_CLIENT_CACHE_MAX_AGE_MS, DEFAULT_CLIENT_CACHE_MAX_ENTRIES, type ClientCacheOptions, type ClientCacheStats } from './client-cache.js';
export { createRedisSessionClient, createNodeRedisSessionClient, openRedisStoreFromEnv } from './from-env.js';
export {
  RedisKeyLayout,
  META_FIELDS as REDIS_META_FIELDS,
  META_FIELD_PREFIX as REDIS_META_FIELD_PREFIX,
  indexValueText as redisIndexValueText,
  redisSessionKey,
  redisMoveLockKey,
  redisMovedKey,
  redisIndexKey,
} from './layout.js';
