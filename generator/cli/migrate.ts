import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Knex } from 'knex';
import {
  migrateSqlSchema,
  rollbackSqlSchema,
  pendingSqlMigrations,
  pinnedDialect,
  SQL_DIALECTS,
  sqlDialectNamed,
  sqlDialectOfUrl,
  sqlKnexConfigFromUrl,
  type MigrationProgress,
  type SqlDialectEntry,
  type SqlMigration,
} from '@sessiongen/runtime/sql';
import { migrationsFromSnapshots } from '../emitters/sql/migrations/migration-files.js';
import { MIGRATIONS_DIR, previousSnapshots } from '../emitters/sql/migrations/snapshot.js';
import { readPreviousOutput } from './previous-output.js';

export interface MigrateCommandOptions {
  out?: string;
  client?: string;
  url?: string;
  table?: string;
  rollback?: boolean;
  status?: boolean;
  /** Where progress and results go (default: stderr / stdout). */
  log?: (line: string) => void;
  progress?: (text: string) => void;
}

/** The dialect `--client` names (a knex client or a dialect), else the URL's scheme's (a path is SQLite). */
function dialectOf(client: string | undefined, url: string | undefined): SqlDialectEntry {
  if (client === undefined) return sqlDialectOfUrl(url);
  const entry = sqlDialectNamed(client);
  if (!entry) throw new Error(`--client ${client}: not a knex client sessiongen knows (${[...new Set(SQL_DIALECTS.flatMap((each) => each.knexClients))].join(', ')})`);
  return entry;
}

/** A one-line progress bar: `[#########...........] 45% 4500/10000`. */
export function progressBar(done: number, total: number, width = 30): string {
  const ratio = total === 0 ? 1 : Math.min(1, done / total);
  const filled = Math.round(ratio * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(ratio * 100)).padStart(3)}% ${done}/${total}`;
}

/**
 * The generated migrations of an output folder, rebuilt from their snapshots
 * (`<out>/sql/migrations/NNNN_name/snapshot.json`) by the code that generated them, so the compiled CLI
 * applies them without loading the generated TypeScript.
 */
export function loadMigrations(out: string): readonly SqlMigration[] {
  const snapshots = previousSnapshots(readPreviousOutput(out));
  if (snapshots.length === 0) throw new Error(`${join(out, MIGRATIONS_DIR)} holds no migration; run \`npx sessiongen generate\` first`);
  return migrationsFromSnapshots(snapshots);
}

/** The app's knex (resolved from where sessiongen is installed, as the app's own code would find it). */
function appKnex(): (config: Knex.Config) => Knex {
  try {
    return createRequire(import.meta.url)('knex') as (config: Knex.Config) => Knex;
  } catch {
    throw new Error("sessiongen migrate needs the app's 'knex' package and its database driver (pg, mysql2 or better-sqlite3): run `npm install knex pg` (or mysql2, better-sqlite3)");
  }
}

/** `sessiongen migrate`: applies (or lists, or rolls back) the generated migrations through knex. */
export async function migrateCommand(options: MigrateCommandOptions): Promise<number> {
  const log = options.log ?? ((line: string) => console.log(line));
  const progress = options.progress ?? ((text: string) => process.stderr.write(text));
  const migrations = loadMigrations(options.out ?? 'generated');
  const url = options.url ?? process.env.DATABASE_URL;
  const entry = dialectOf(options.client, url);
  const dialect = pinnedDialect(entry); // fails for a dialect the store does not run on
  const knex = appKnex()(sqlKnexConfigFromUrl(entry.statements!.name, url, 2));
  let open = false;
  const onProgress = (p: MigrationProgress) => {
    const column = /SET\s+(\S+)\s*=/.exec(p.statement)?.[1] ?? '';
    progress(`\r${p.migration} backfill ${column} ${progressBar(p.done, p.total)}`);
    open = p.done < p.total;
    if (!open) progress('\n');
  };
  try {
    const common = { table: options.table, dialect, onProgress };
    if (options.status) {
      const pending = await pendingSqlMigrations(knex, migrations, common);
      log(pending.length === 0 ? 'sessiongen: up to date' : `sessiongen: ${pending.length} pending: ${pending.join(', ')}`);
      return 0;
    }
    const names = options.rollback ? await rollbackSqlSchema(knex, migrations, common) : await migrateSqlSchema(knex, migrations, common);
    if (open) progress('\n');
    const verb = options.rollback ? 'rolled back' : 'applied';
    log(names.length === 0 ? `sessiongen: nothing to ${options.rollback ? 'roll back' : 'apply'}; up to date` : `sessiongen: ${verb} ${names.join(', ')}`);
    return 0;
  } finally {
    await knex.destroy();
  }
}
