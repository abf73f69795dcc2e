import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import knexFactory from 'knex';
import { migrateSqlSchema, rollbackSqlSchema, pendingSqlMigrations, type MigrationProgress, type SqlMigration } from '../../runtime/stores/sql/migrations.js';
import { sqlKnexConfigFromUrl } from '../../runtime/stores/sql/from-env.js';
import type { SqlDialectName } from '../../runtime/stores/sql/dialects/index.js';
import { MIGRATIONS_DIR } from './snapshot.js';

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

function dialectOf(client: string | undefined, url: string | undefined): SqlDialectName {
  const name = client ?? (/^postgres(ql)?:/.test(url ?? '') ? 'pg' : /^(mysql|mariadb):/.test(url ?? '') ? 'mysql2' : 'better-sqlite3');
  if (name === 'pg' || name === 'postgres' || name === 'postgresql') return 'postgres';
  if (name === 'mysql2' || name === 'mysql') return /^mariadb:/.test(url ?? '') ? 'mariadb' : 'mysql';
  if (name === 'mariadb') return 'mariadb';
  if (name === 'better-sqlite3' || name === 'sqlite3' || name === 'sqlite') return 'sqlite';
  throw new Error(`--client ${name}: not one of pg, mysql2, better-sqlite3`);
}

/** A one-line progress bar: `[#########...........] 45% 4500/10000`. */
export function progressBar(done: number, total: number, width = 30): string {
  const ratio = total === 0 ? 1 : Math.min(1, done / total);
  const filled = Math.round(ratio * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(ratio * 100)).padStart(3)}% ${done}/${total}`;
}

/** Loads the generated migrations list from `<out>/sql/migrations/index.ts`. */
export async function loadMigrations(out: string): Promise<readonly SqlMigration[]> {
  const file = resolve(out, MIGRATIONS_DIR, 'index.ts');
  if (!existsSync(file)) throw new Error(`${file} does not exist; run \`npx sessiongen generate\` first`);
  const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const list = Object.entries(module).find(([name]) => name.endsWith('SqlMigrations'))?.[1];
  if (!Array.isArray(list)) throw new Error(`${file} exports no …SqlMigrations list`);
  return list as SqlMigration[];
}

/** `sessiongen migrate`: applies (or lists, or rolls back) the generated migrations through knex. */
export async function migrateCommand(options: MigrateCommandOptions): Promise<number> {
  const log = options.log ?? ((line: string) => console.log(line));
  const progress = options.progress ?? ((text: string) => process.stderr.write(text));
  const migrations = await loadMigrations(options.out ?? 'generated');
  const url = options.url ?? process.env.DATABASE_URL;
  const dialect = dialectOf(options.client, url);
  const knex = knexFactory(sqlKnexConfigFromUrl(dialect, url, 2));
  let open = false;
  const onProgress = (p: MigrationProgress) => {
    const column = /SET\s+(\S+)\s*=/.exec(p.statement)?.[1] ?? '';
    progress(`\r${p.migration} backfill ${column} ${progressBar(p.done, p.total)}`);
    open = p.done < p.total;
    if (!open) progress('\n');
  };
  try {
    const common = { table: options.table, dialect: dialect === 'mysql' ? undefined : dialect, onProgress };
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
