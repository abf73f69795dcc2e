import type { IndexValue, IndexValueType } from '../../../core/descriptor.js';

/** A fragment of SQL with its positional `?` bindings. */
export interface SqlFragment {
  sql: string;
  bindings: unknown[];
}

/** What a statement returned, whatever the driver: its rows and how many rows it changed. */
export interface SqlResult {
  rows: Array<Record<string, unknown>>;
  affected: number;
}

/** Runs one statement (with `?` placeholders) on the store's connection pool. */
export interface SqlExecutor {
  query(sql: string, bindings: readonly unknown[]): Promise<SqlResult>;
  /** Runs `work` in one transaction on one connection. */
  transaction<T>(work: (run: (sql: string, bindings: readonly unknown[]) => Promise<SqlResult>) => Promise<T>): Promise<T>;
}

/** The names the runtime dialects go by; the DDL adds `mssql` and `oracle`. */
export type SqlDialectName = 'postgres' | 'mariadb' | 'mysql' | 'sqlite';

/**
 * What differs between SQL databases at run time, in one place per dialect. The store builds every
 * statement from these; values always travel as bindings, identifiers only through `quote`.
 */
export interface SqlDialect {
  readonly name: SqlDialectName;
  quote(identifier: string): string;
  /**
   * An expression for the attributes column `column` after removing `removed` and setting `set`
   * (name → JSON text). Its shape (SQL text) may depend only on the counts, so statements repeat.
   */
  patchAttributes(column: string, removed: readonly string[], set: ReadonlyArray<[string, string]>): SqlFragment;
  /** The attributes of a new row, bound as one value. */
  bindAttributes(set: Record<string, unknown>): unknown;
  /**
   * `INSERT … <values> <this>`: on a duplicate `session_id` (two concurrent first saves of one
   * session), merge instead of failing. `assign` lists the plain columns to take from the new row;
   * `attributes` is the patch of the existing attributes with the new ones.
   */
  upsertTail(table: string, assign: readonly string[], attributes: SqlFragment): SqlFragment;
  /** The attributes column as read back, as a plain object. */
  readAttributes(value: unknown): Record<string, unknown>;
  /** A bigint column as read back, as a number. */
  readNumber(value: unknown): number;
  /** An index value as bound in a query. */
  bindIndex(value: IndexValue, type: IndexValueType): unknown;
  /**
   * Deletes up to `batch` expired rows, claiming them so that concurrent cleaners on other
   * instances skip them (no waiting, no double work), and returns their session ids.
   */
  deleteExpired(executor: SqlExecutor, table: string, now: number, batch: number): Promise<string[]>;
  /**
   * One statement that runs `update` (an UPDATE renaming a session row) and, when it changed a row,
   * `insert` (`INSERT INTO <markers> (old id, new id, expiry)`) with three more bindings: old id, new
   * id, expiry. Absent where the database has no such statement: the store runs both in a transaction.
   */
  updateThenInsert?(update: string, insert: string): string;
}

/** A JSON path for one top-level member, quoted so names like `draft:a-b` are one key. */
export function memberPath(name: string): string {
  return `$."${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** `"name"` quoting (PostgreSQL, SQLite, ANSI). */
export function doubleQuote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}
