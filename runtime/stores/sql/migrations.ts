import type { Knex } from 'knex';
import { detectDialect, knexClientName, sqlStatements, type SqlDialectName } from './dialects/index.js';
import { KnexRawExecutor } from './executor.js';
import { SQL_COLUMNS as C, SQL_SAFE_NAME as SAFE_NAME, SQL_TABLE_PLACEHOLDER } from './layout.js';

/** A statement, or the backfill UPDATE of a new index column (run in batches, with progress). */
export type SqlMigrationStep = string | { backfill: string };

/** One generated migration: its statements per dialect, with `%TABLE%` ({@link SQL_TABLE_PLACEHOLDER}) for the table name. */
export interface SqlMigration {
  name: string;
  /** The table the schema names (statements say `%TABLE%`; migrate can put another name there). */
  table: string;
  up: Readonly<Record<string, readonly SqlMigrationStep[]>>;
  down: Readonly<Record<string, readonly SqlMigrationStep[]>>;
}

export interface MigrationProgress {
  migration: string;
  /** The UPDATE being run in batches. */
  statement: string;
  done: number;
  total: number;
}

export interface MigrateOptions {
  /** The session table (default: the one the migrations were generated for). */
  table?: string;
  /** Knex's bookkeeping table (default `<table>_migrations`). */
  migrationsTable?: string;
  /** Force a dialect (default: from the knex client; `mysql2` asks the server). */
  dialect?: SqlDialectName;
  /** Rows per backfill batch (default 1000). */
  batchSize?: number;
  onProgress?: (progress: MigrationProgress) => void;
}

/** The table the migrations were generated for. */
function defaultTable(migrations: readonly SqlMigration[]): string | undefined {
  return migrations.at(-1)?.table;
}

interface RunContext {
  table: string;
  dialect: SqlDialectName;
  batchSize: number;
  onProgress?: (progress: MigrationProgress) => void;
}

async function runSteps(knex: Knex, migration: SqlMigration, direction: 'up' | 'down', context: RunContext): Promise<void> {
  const steps = migration[direction][context.dialect];
  if (!steps) throw new Error(`migration ${migration.name} has no ${context.dialect} statements`);
  for (const step of steps) {
    if (typeof step === 'string') {
      await knex.raw(step.replaceAll(SQL_TABLE_PLACEHOLDER, context.table));
    } else {
      await backfill(knex, migration.name, step.backfill.replaceAll(SQL_TABLE_PLACEHOLDER, context.table), context);
    }
  }
}

/**
 * Runs `UPDATE t SET c = <expr>` over the table in primary-key ranges of `batchSize` rows
 * (keyset, so each batch is an index range), reporting progress after each.
 */
async function backfill(knex: Knex, migration: string, update: string, context: RunContext): Promise<void> {
  const q = sqlStatements(context.dialect).quote;
  const table = q(context.table);
  const executor = new KnexRawExecutor(knex, knexClientName(knex));
  const count = await executor.query(`SELECT COUNT(*) AS n FROM ${table}`, []);
  const total = Number(count.rows[0]?.n ?? 0);
  let done = 0;
  let lower = '';
  context.onProgress?.({ migration, statement: update, done, total });
  for (;;) {
    const bounds = await executor.query(
      `SELECT MAX(${q(C.primaryId)}) AS upper, COUNT(*) AS n FROM (SELECT ${q(C.primaryId)} FROM ${table} WHERE ${q(C.primaryId)} > ? ORDER BY ${q(C.primaryId)} LIMIT ?) b`,
      [lower, context.batchSize],
    );
    const n = Number(bounds.rows[0]?.n ?? 0);
    if (n === 0) break;
    const upper = String(bounds.rows[0]!.upper);
    await executor.query(`${update} WHERE ${q(C.primaryId)} > ? AND ${q(C.primaryId)} <= ?`, [lower, upper]);
    done += n;
    lower = upper;
    context.onProgress?.({ migration, statement: update, done: Math.min(done, Math.max(total, done)), total: Math.max(total, done) });
    if (n < context.batchSize) break;
  }
}

async function contextFor(knex: Knex, migrations: readonly SqlMigration[], options: MigrateOptions): Promise<RunContext> {
  const table = options.table ?? defaultTable(migrations);
  if (!table || !SAFE_NAME.test(table)) throw new Error(`migrate: a safe table name is needed (got '${table ?? ''}')`);
  const dialect = (await detectDialect(knex, options.dialect)).name;
  return { table, dialect, batchSize: options.batchSize ?? 1000, onProgress: options.onProgress };
}

/** Knex's migration source over the generated migrations, bound to one table and dialect. */
function source(migrations: readonly SqlMigration[], context: RunContext): Knex.MigrationSource<SqlMigration> {
  // Where DDL commits implicitly (MySQL, MariaDB), a wrapping transaction would only pretend.
  const transaction = sqlStatements(context.dialect).transactionalDdl;
  return {
    getMigrations: async () => [...migrations],
    getMigrationName: (migration) => migration.name,
    getMigration: async (migration) => ({
      up: (knex: Knex) => runSteps(knex, migration, 'up', context),
      down: (knex: Knex) => runSteps(knex, migration, 'down', context),
      config: { transaction },
    }),
  };
}

function migratorConfig(migrations: readonly SqlMigration[], context: RunContext, options: MigrateOptions): Knex.MigratorConfig {
  const migrationsTable = options.migrationsTable ?? `${context.table}_migrations`;
  if (!SAFE_NAME.test(migrationsTable)) throw new Error(`migrate: unsafe migrations table name '${migrationsTable}'`);
  return { migrationSource: source(migrations, context), tableName: migrationsTable };
}

/** Applies the pending migrations; returns the names applied (empty when up to date). */
export async function migrateSqlSchema(knex: Knex, migrations: readonly SqlMigration[], options: MigrateOptions = {}): Promise<string[]> {
  const context = await contextFor(knex, migrations, options);
  const [, applied] = (await knex.migrate.latest(migratorConfig(migrations, context, options))) as [number, string[]];
  return applied;
}

/** Undoes the last applied migration (or all with `all`); returns the names undone. */
export async function rollbackSqlSchema(knex: Knex, migrations: readonly SqlMigration[], options: MigrateOptions & { all?: boolean } = {}): Promise<string[]> {
  const context = await contextFor(knex, migrations, options);
  const [, undone] = (await knex.migrate.rollback(migratorConfig(migrations, context, options), options.all ?? false)) as [number, string[]];
  return undone;
}

/** The names of the migrations not applied yet. */
export async function pendingSqlMigrations(knex: Knex, migrations: readonly SqlMigration[], options: MigrateOptions = {}): Promise<string[]> {
  const context = await contextFor(knex, migrations, options);
  const [, pending] = (await knex.migrate.list(migratorConfig(migrations, context, options))) as [unknown[], Array<{ file?: string } | SqlMigration>];
  return pending.map((entry) => ('name' in entry ? entry.name : String((entry as { file?: string }).file)));
}

/**
 * A generated migration as a knex migration module (`export const { up, down } = …`), for apps
 * that run their own knex migrations: it migrates the table the schema names.
 */
export function knexSqlMigration(migration: SqlMigration): { up(knex: Knex): Promise<void>; down(knex: Knex): Promise<void> } {
  const run = async (knex: Knex, direction: 'up' | 'down') => {
    const dialect = (await detectDialect(knex)).name;
    await runSteps(knex, migration, direction, { table: migration.table, dialect, batchSize: 1000 });
  };
  return { up: (knex) => run(knex, 'up'), down: (knex) => run(knex, 'down') };
}
