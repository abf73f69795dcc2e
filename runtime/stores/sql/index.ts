/**
 * `@sessiongen/runtime/sql`: sessions in PostgreSQL, MySQL/MariaDB or SQLite through knex, and the
 * generated migrations' runner. knex and the database driver (`pg`, `mysql2`, `better-sqlite3`)
 * are the app's own: this entry loads them only when a store or migration needs them.
 */
export { SqlSessionStore, type SqlStoreOptions } from './sql-store.js';
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
export { openSqlStoreFromEnv, sqlKnexConfigFromUrl, sqliteSynchronousFromEnv, type SqlStoreFromEnv } from './from-env.js';
export { DEFAULT_SQLITE_SYNCHRONOUS, type SqliteSynchronous } from './dialects/sqlite/executor.js';
// The table layout and the dialects, which the generator renders the DDL and migrations from.
export {
  SQL_COLUMNS,
  SQL_MOVED_IDS_COLUMNS,
  SQL_SAFE_NAME,
  SQL_TABLE_PLACEHOLDER,
  sqlIndexName,
  sqlTableNames,
  sqlMovedIdsTableNames,
  type SqlColumnRole,
} from './layout.js';
export {
  SQL_DIALECTS,
  SQL_STORE_DIALECTS,
  sqlDialectNamed,
  sqlDialectOfUrl,
  pinnedDialect,
  type SqlDialectEntry,
  type SqlDdl,
  type SqlDdlDialectName,
  type SqlDdlTemplates,
  type SqlIndexColumn,
} from './dialects/index.js';
