import type { IndexValue, IndexValueType } from '../../../core/descriptor.js';

/** A fragment of SQL with its positional `?` bindings. */
export interface SqlFragment {
  sql: string;
  bindings: unknown[];
}

/**
 * What differs between SQL databases at run time, in one place per dialect. The store builds every
 * statement from these; values always travel as bindings, identifiers only through `quote`.
 */
export interface SqlDialect {
  readonly name: string;
  quote(identifier: string): string;
  /** An expression for the attributes column after removing `removed` and setting `set` (name → JSON text). */
  patchAttributes(column: string, removed: string[], set: Array<[string, string]>): SqlFragment;
  /** The attributes column as read back, as a plain object. */
  readAttributes(value: unknown): Record<string, unknown>;
  /** A bigint column as read back, as a number. */
  readNumber(value: unknown): number;
  /** An index value as bound in a query. */
  bindIndex(value: IndexValue, type: IndexValueType): unknown;
  /** Rows from a raw select. */
  rows(result: unknown): Array<Record<string, unknown>>;
  /** Rows changed by a raw insert/update/delete. */
  affected(result: unknown): number;
  /** Deletes up to `batch` expired rows (claiming them so concurrent cleaners skip them) and returns their session ids. */
  deleteExpired(table: string, now: number, batch: number): SqlFragment;
}
