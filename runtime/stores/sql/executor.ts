import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type * as PgModule from 'pg';
import { loadOptionalDependency } from '../../core/optional-dependency.js';
import type { SqlExecutor, SqlResult } from './dialects/dialect.js';
import { dialectsOfClient } from './dialects/index.js';

/** `?` placeholders to PostgreSQL's `$1, $2, …` (the store never puts `?` in quotes or names). */
export function toNumberedPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

interface PgClient {
  query(config: { name?: string; text: string; values?: unknown[] }): Promise<{ rows: Array<Record<string, unknown>>; rowCount: number | null }>;
}

/**
 * PostgreSQL through knex's own pool, bypassing knex's query builder: a connection is taken from
 * the pool knex manages (same size, same config, same `destroy`), and each statement is sent as a
 * *named* prepared statement, which `pg` parses once per connection and then only binds and
 * executes. One statement per call, so a save is one round trip.
 */
export class PgPreparedExecutor implements SqlExecutor {
  private readonly names = new Map<string, { name: string; text: string }>();

  constructor(private readonly knex: Knex) {}

  async query(sql: string, bindings: readonly unknown[]): Promise<SqlResult> {
    const prepared = this.prepare(sql);
    const client = this.knex.client as { acquireConnection(): Promise<PgClient>; releaseConnection(c: PgClient): Promise<void> };
    const connection = await client.acquireConnection();
    try {
      const result = await connection.query({ name: prepared.name, text: prepared.text, values: bindings as unknown[] });
      return { rows: result.rows, affected: result.rowCount ?? 0 };
    } finally {
      await client.releaseConnection(connection);
    }
  }

  async transaction<T>(work: (run: (sql: string, bindings: readonly unknown[]) => Promise<SqlResult>) => Promise<T>): Promise<T> {
    return this.knex.transaction(async (trx) =>
      work(async (sql, bindings) => {
        const result = (await trx.raw(sql, bindings as Knex.RawBinding[])) as unknown as { rows: Array<Record<string, unknown>>; rowCount: number | null };
        return { rows: result.rows, affected: result.rowCount ?? 0 };
      }),
    );
  }

  private prepare(sql: string): { name: string; text: string } {
    let prepared = this.names.get(sql);
    if (!prepared) {
      const text = toNumberedPlaceholders(sql);
      prepared = { name: `sessiongen_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`, text };
      this.names.set(sql, prepared);
    }
    return prepared;
  }
}

/** Normalises what `knex.raw` returns for each driver into rows and a changed-row count (MySQL's drivers: `[rows or header, fields]`). */
function normalise(mysqlDriver: boolean, result: unknown): SqlResult {
  if (mysqlDriver) {
    const [first] = result as [unknown];
    if (Array.isArray(first)) return { rows: first as Array<Record<string, unknown>>, affected: 0 };
    return { rows: [], affected: (first as { affectedRows?: number }).affectedRows ?? 0 };
  }
  if (Array.isArray(result)) return { rows: result as Array<Record<string, unknown>>, affected: result.length };
  const withRows = result as { rows?: Array<Record<string, unknown>>; rowCount?: number; changes?: number };
  if (withRows.rows) return { rows: withRows.rows, affected: withRows.rowCount ?? 0 };
  return { rows: [], affected: withRows.changes ?? withRows.rowCount ?? 0 };
}

/** Any knex client through `knex.raw` (MariaDB/MySQL via mysql2, SQLite via better-sqlite3). */
export class KnexRawExecutor implements SqlExecutor {
  private readonly mysqlDriver: boolean;

  constructor(
    private readonly knex: Knex,
    client: string,
    /** Isolation level for `transaction` (InnoDB cleanup uses READ COMMITTED to avoid gap locks). */
    private readonly isolation?: 'read committed',
  ) {
    this.mysqlDriver = dialectsOfClient(client).some((entry) => entry.name === 'mysql');
  }

  async query(sql: string, bindings: readonly unknown[]): Promise<SqlResult> {
    return normalise(this.mysqlDriver, await this.knex.raw(sql, bindings as Knex.RawBinding[]));
  }

  async transaction<T>(work: (run: (sql: string, bindings: readonly unknown[]) => Promise<SqlResult>) => Promise<T>): Promise<T> {
    return this.knex.transaction(
      async (trx) => work(async (sql, bindings) => normalise(this.mysqlDriver, await trx.raw(sql, bindings as Knex.RawBinding[]))),
      this.isolation ? { isolationLevel: this.isolation } : undefined,
    );
  }
}

/**
 * PostgreSQL through a `pg.Pool` of the store's own, built from the knex client's connection
 * config (same server, same credentials, same pool size): `pool.query` with named statements. Knex's
 * pool (tarn) arms a timer and several promises per acquire, which on a busy 2-core machine cost
 * more than the query; `pg.Pool` hands out idle clients directly. Statements still go one per call.
 */
export class PgPoolExecutor implements SqlExecutor {
  readonly pool: PgModule.Pool;
  private readonly names = new Map<string, { name: string; text: string }>();

  constructor(private readonly knex: Knex, max?: number) {
    const config = knex.client.config as Knex.Config;
    const connection = config.connection;
    const base: PgModule.PoolConfig = typeof connection === 'string' ? { connectionString: connection } : { ...(connection as PgModule.PoolConfig) };
    const searchPath = (config as { searchPath?: string | readonly string[] }).searchPath;
    if (searchPath) {
      const list = (typeof searchPath === 'string' ? searchPath.split(',') : [...searchPath]).map((name) => `"${name.trim().replace(/"/g, '""')}"`);
      base.options = `${base.options ?? ''} -c search_path=${list.join(',')}`.trim();
    }
    const poolMax = max ?? (config.pool?.max as number | undefined) ?? 10;
    const pg = loadOptionalDependency<typeof PgModule>('pg', 'the PostgreSQL session store');
    this.pool = new pg.Pool({ ...base, max: poolMax });
    this.pool.on('error', () => undefined); // an idle client lost: the pool replaces it
  }

  async query(sql: string, bindings: readonly unknown[]): Promise<SqlResult> {
    let prepared = this.names.get(sql);
    if (!prepared) {
      const text = toNumberedPlaceholders(sql);
      prepared = { name: `sessiongen_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`, text };
      this.names.set(sql, prepared);
    }
    const result = await this.pool.query({ name: prepared.name, text: prepared.text, values: bindings as unknown[] });
    return { rows: result.rows, affected: result.rowCount ?? 0 };
  }

  transaction<T>(work: (run: (sql: string, bindings: readonly unknown[]) => Promise<SqlResult>) => Promise<T>): Promise<T> {
    return new PgPreparedExecutor(this.knex).transaction(work);
  }

  end(): Promise<void> {
    return this.pool.end();
  }
}
