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

/** The dialects the store runs on (each has statements). */
export type SqlDialectName = 'postgres' | 'mariadb' | 'mysql' | 'sqlite';
/** Every dialect sessiongen emits DDL for: the store's, and SQL Server and Oracle (DDL only). */
export type SqlDdlDialectName = SqlDialectName | 'mssql' | 'oracle';

/**
 * What differs between SQL databases at run time, in one place per dialect. The store builds every
 * statement from these; values always travel as bindings, identifiers only through `quote`.
 */
export interface SqlDialect {
  readonly name: SqlDialectName;
  quote(identifier: string): string;
  /** Whether DDL can run in a transaction (MySQL and MariaDB commit it implicitly). */
  readonly transactionalDdl: boolean;
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

/** An indexed column as the DDL sees it (the generator's index model has these fields). */
export interface SqlIndexColumn {
  /** The attribute the column copies. */
  readonly attribute: string;
  readonly column: string;
  readonly type: IndexValueType;
  /** Longest string value; strings only. */
  readonly maxLength?: number;
}

/**
 * What differs between SQL databases in the DDL: identifier quoting, the type of an index column,
 * how to read one attribute out of the JSON column (for backfills), and the templates (under
 * templates/) that hold the statement shapes. The generator renders them; the runtime never does.
 */
export interface SqlDdl {
  quote(identifier: string): string;
  /** Column type for an indexed attribute. */
  indexColumnType(index: SqlIndexColumn): string;
  /** An expression reading the index's attribute from the JSON column, typed like the column. */
  extract(index: SqlIndexColumn, attributesColumn: string): string;
  readonly templates: SqlDdlTemplates;
}

/** The Handlebars templates of one dialect, as paths under templates/. */
export interface SqlDdlTemplates {
  readonly createTable: string;
  readonly dropTable: string;
  readonly addIndex: string;
  readonly dropIndex: string;
  /** The id-change marker table (`<table>_moved_ids`) and its expiry index. */
  readonly createMovedIds: string;
}

/** A dialect's templates: `templates/sql/<dialect>/`. */
export function ddlTemplates(dialect: SqlDdlDialectName): SqlDdlTemplates {
  const folder = `sql/${dialect}`;
  return {
    createTable: `${folder}/schema.sql.hbs`,
    dropTable: `${folder}/drop.sql.hbs`,
    addIndex: `${folder}/add-index.sql.hbs`,
    dropIndex: `${folder}/drop-index.sql.hbs`,
    createMovedIds: `${folder}/moved-ids.sql.hbs`,
  };
}

/**
 * A JSON path for one top-level member, always bound as a parameter (never part of the SQL text).
 * The name is quoted so `.`, `$`, `[`, `*` and spaces stay inside one key, and `"` and `\` are
 * written as `\u0022` / `\u005c`, so no name can end the quoted key early, whatever a
 * database's path parser does with backslashes (SQLite before its JSONB rewrite took them as-is).
 */
export function memberPath(name: string): string {
  return `$."${name.replace(/["\\]/g, (ch) => (ch === '"' ? '\\u0022' : '\\u005c'))}"`;
}

/** A SQL string literal holding a JSON path to one top-level member (for the DDL's backfills). */
export function pathLiteral(attribute: string): string {
  return `'$."${attribute.replace(/'/g, "''").replace(/"/g, '\\"')}"'`;
}

/** `"name"` quoting (PostgreSQL, SQLite, Oracle, ANSI). */
export function doubleQuote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

/** `` `name` `` quoting (MySQL, MariaDB). */
export function backtick(identifier: string): string {
  return `\`${identifier.replace(/`/g, '``')}\``;
}
