/** sessiongen's runtime: what generated code and applications import. */
export * from './core/descriptor.js';
export * from './core/errors.js';
export * from './core/ids.js';
export * from './core/clock.js';
export * from './core/expiry.js';
export * from './core/events.js';
export * from './core/store.js';
export * from './core/session.js';
export * from './core/repository.js';
export * from './core/json-helpers.js';
export { MemorySessionStore, type MemoryStoreOptions } from './stores/memory/memory-store.js';
export { SqlSessionStore, type SqlStoreOptions } from './stores/sql/sql-store.js';
export type { SqlDialect, SqlDialectName, SqlFragment } from './stores/sql/dialects/index.js';
export * from './web/index.js';
export {
  migrateSqlSchema,
  rollbackSqlSchema,
  pendingSqlMigrations,
  knexSqlMigration,
  type SqlMigration,
  type SqlMigrationStep,
  type MigrateOptions,
  type MigrationProgress,
} from './stores/sql/migrations.js';
export { openSqlStoreFromEnv, sqlKnexConfigFromUrl, type SqlStoreFromEnv } from './stores/sql/from-env.js';
export { RedisSessionStore, type RedisClient, type RedisStoreOptions, type NotificationState } from './stores/redis/redis-store.js';
export { createRedisSessionClient, openRedisStoreFromEnv } from './stores/redis/from-env.js';
export { RedisKeyLayout, META_FIELDS as REDIS_META_FIELDS, indexValueText as redisIndexValueText } from './stores/redis/keys.js';
export * from './stores/hazelcast/index.js';
