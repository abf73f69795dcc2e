/**
 * `@sessiongen/runtime/sql`: sessions in PostgreSQL, MySQL/MariaDB or SQLite through knex, and the
 * generated migrations' runner. knex and the database driver (`pg`, `mysql2`, `better-sqlite3`)
 * are the app's own: this entry loads them only when a store or migration needs them.
 */
export { SqlSessionStore, type SqlStoreOptions } from './sql-store.js';
export { movedIdsTable } from './moved-ids.js';
export type { SqlDialect, SqlDialectName, SqlFragment } from './dialects/index.js';
export {
  migrateSqlSchema,
  rollbackSqlSchema,
  pendingSqlMigrations,
  knexSqlMigration,
  type SqlMigration,
  type SqlMigrationStep,
  type MigrateOptions,
  type MigrationProgress,
} from './migrations.js';
export { openSqlStoreFromEnv, sqlKnexConfigFromUrl, type SqlStoreFromEnv } from './from-env.js';
