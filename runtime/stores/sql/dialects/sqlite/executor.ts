import type { Knex } from 'knex';
import type { SqlExecutor, SqlResult } from '../dialect.js';

/** How hard SQLite makes each commit durable (`PRAGMA synchronous`), in WAL mode. */
export type SqliteSynchronous = 'NORMAL' | 'FULL';

/** The store's default: WAL with `synchronous = NORMAL` (see the README, "SQLite durability"). */
export const DEFAULT_SQLITE_SYNCHRONOUS: SqliteSynchronous = 'NORMAL';

/** The parts of a better-sqlite3 `Statement` the executor uses. */
interface Statement {
  readonly reader: boolean;
  all(bindings: readonly unknown[]): Array<Record<string, unknown>>;
  run(bindings?: readonly unknown[]): { changes: number };
}

/** The parts of a better-sqlite3 `Database` (what knex's pool holds for the `better-sqlite3` client) the executor uses. */
interface Connection {
  readonly open: boolean;
  readonly inTransaction: boolean;
  prepare(sql: string): Statement;
  pragma(text: string): unknown;
}

interface KnexPool {
  acquireConnection(): Promise<Connection>;
  releaseConnection(connection: Connection): Promise<void>;
}

/**
 * SQLite on the better-sqlite3 connection that knex's pool holds, without knex in between: each
 * statement is prepared once per connection and run synchronously on it. better-sqlite3 is a
 * synchronous driver, so a statement is atomic with respect to everything else in the process.
 *
 * The connection stays knex's (same file, same `afterCreate`, closed by `knex.destroy()`); the
 * executor takes it from the pool once, gives it back, and keeps using it while it is open. What
 * must not interleave with a transaction does not: whenever the connection is inside a
 * transaction — one of knex's (`knex.transaction`, migrations) or the executor's own — a statement
 * waits for the connection from knex's pool instead, which its holder returns only after COMMIT
 * or ROLLBACK, so no statement of the store ever runs inside a transaction it does not own.
 * The executor's own transactions hold the connection from the pool the same way.
 *
 * On each connection it takes, the executor sets WAL mode and `synchronous` (default NORMAL).
 */
export class SqliteExecutor implements SqlExecutor {
  private connection: Connection | undefined;
  /** The statements of `connection`, prepared once each. */
  private statements = new Map<string, Statement>();
  /** Every connection taken so far, with its own prepared statements. */
  private readonly prepared = new WeakMap<Connection, Map<string, Statement>>();

  constructor(
    private readonly knex: Knex,
    private readonly synchronous: SqliteSynchronous = DEFAULT_SQLITE_SYNCHRONOUS,
  ) {}

  query(sql: string, bindings: readonly unknown[]): Promise<SqlResult> {
    const connection = this.connection;
    if (connection !== undefined && connection.open && !connection.inTransaction) {
      try {
        return Promise.resolve(this.execute(connection, sql, bindings));
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return this.withConnection(async (held) => this.execute(held, sql, bindings));
  }

  transaction<T>(work: (run: (sql: string, bindings: readonly unknown[]) => Promise<SqlResult>) => Promise<T>): Promise<T> {
    return this.withConnection(async (held) => {
      this.execute(held, 'BEGIN IMMEDIATE', []);
      try {
        const result = await work(async (sql, bindings) => this.execute(held, sql, bindings));
        this.execute(held, 'COMMIT', []);
        return result;
      } catch (err) {
        if (held.inTransaction) this.execute(held, 'ROLLBACK', []);
        throw err;
      }
    });
  }

  /** Runs `work` while holding the connection from knex's pool (so nothing else uses it meanwhile). */
  private async withConnection<T>(work: (connection: Connection) => Promise<T>): Promise<T> {
    const pool = this.knex.client as unknown as KnexPool;
    const connection = await pool.acquireConnection();
    try {
      this.adopt(connection);
      return await work(connection);
    } finally {
      await pool.releaseConnection(connection);
    }
  }

  /** Makes `connection` the one statements run on directly (on first sight: WAL and the durability setting). */
  private adopt(connection: Connection): void {
    if (connection === this.connection) return;
    let statements = this.prepared.get(connection);
    if (statements === undefined) {
      connection.pragma('journal_mode = WAL');
      connection.pragma(`synchronous = ${this.synchronous}`);
      statements = new Map();
      this.prepared.set(connection, statements);
    }
    this.connection = connection;
    this.statements = statements;
  }

  private execute(connection: Connection, sql: string, bindings: readonly unknown[]): SqlResult {
    const statements = connection === this.connection ? this.statements : this.prepared.get(connection)!;
    let statement = statements.get(sql);
    if (statement === undefined) {
      statement = connection.prepare(sql);
      statements.set(sql, statement);
    }
    const values = bindable(bindings);
    if (statement.reader) {
      const rows = statement.all(values);
      return { rows, affected: rows.length };
    }
    return { rows: [], affected: statement.run(values).changes };
  }
}

/** The bindings as better-sqlite3 takes them (as knex would pass them: booleans as 0/1, dates as epoch ms). */
function bindable(bindings: readonly unknown[]): readonly unknown[] {
  for (const value of bindings) {
    if (typeof value === 'boolean' || value instanceof Date) {
      return bindings.map((each) => (typeof each === 'boolean' ? Number(each) : each instanceof Date ? each.valueOf() : each));
    }
  }
  return bindings;
}
