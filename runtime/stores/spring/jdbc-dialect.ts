import type { SqlDialectName, SqlExecutor } from '../sql/dialects/dialect.js';
import type { SpringJdbcNames } from './jdbc-layout.js';

/**
 * What differs between databases in Spring's JDBC layout at run time: how a new session row merges
 * with a concurrent first save of the same id, how attribute rows are upserted (Spring's
 * `…JdbcIndexedSessionRepositoryCustomizer` statements, which sessiongen always uses), how an
 * update hands back the row's primary id, and the expired-row cleanup. One module per dialect, in
 * `runtime/stores/sql/dialects/<name>/spring.ts`. Identifiers are unquoted, as Spring writes them.
 */
export interface SpringJdbcStatements {
  readonly name: SqlDialectName;
  /**
   * `INSERT` of a session row (`PRIMARY_ID, SESSION_ID, CREATION_TIME, LAST_ACCESS_TIME,
   * MAX_INACTIVE_INTERVAL, EXPIRY_TIME, PRINCIPAL_NAME`) that, on a duplicate `SESSION_ID`, updates
   * the times and the principal instead; returns `PRIMARY_ID` when `insertReturnsPrimaryId`.
   */
  insertSession(names: SpringJdbcNames): string;
  readonly insertReturnsPrimaryId: boolean;
  /**
   * How an update finds the row's primary id: `returning` (the UPDATE returns it) or `lock` (a
   * `SELECT … FOR UPDATE` first, then the UPDATE by primary id).
   */
  readonly updateStyle: 'returning' | 'lock';
  /** `rows` attribute rows `(SESSION_PRIMARY_ID, ATTRIBUTE_NAME, ATTRIBUTE_BYTES)` inserted, or their bytes replaced. */
  upsertAttributes(names: SpringJdbcNames, rows: number): string;
  /** `EXPIRY_TIME` of a session that never expires, as the driver binds it. */
  readonly neverExpires: unknown;
  /** Deletes up to `batch` rows expired by `now`, claiming them so concurrent cleaners skip them; returns their ids and times. */
  deleteExpired(executor: SqlExecutor, names: SpringJdbcNames, now: number, batch: number): Promise<SpringExpiredRow[]>;
}

/** A row the cleanup deleted: its session id and the times the expired event reports. */
export interface SpringExpiredRow {
  sessionId: string;
  lastAccessTime: unknown;
  maxInactiveInterval: unknown;
  expiryTime: unknown;
}

/** The columns a {@link SpringExpiredRow} is read from, as the cleanup's `RETURNING` lists them. */
export const SPRING_EXPIRED_COLUMNS = ['SESSION_ID', 'LAST_ACCESS_TIME', 'MAX_INACTIVE_INTERVAL', 'EXPIRY_TIME'] as const;

/** A {@link SpringExpiredRow} from a row with {@link SPRING_EXPIRED_COLUMNS}. */
export function springExpiredRow(row: Record<string, unknown>): SpringExpiredRow {
  return {
    sessionId: String(column(row, 'SESSION_ID')),
    lastAccessTime: column(row, 'LAST_ACCESS_TIME'),
    maxInactiveInterval: column(row, 'MAX_INACTIVE_INTERVAL'),
    expiryTime: column(row, 'EXPIRY_TIME'),
  };
}

/** The session row's columns in the order {@link SpringJdbcStatements.insertSession} binds them. */
export const SPRING_INSERT_COLUMNS = ['PRIMARY_ID', 'SESSION_ID', 'CREATION_TIME', 'LAST_ACCESS_TIME', 'MAX_INACTIVE_INTERVAL', 'EXPIRY_TIME', 'PRINCIPAL_NAME'] as const;

/** A column of a result row, whatever case the database gives its name in (PostgreSQL folds unquoted names to lower case). */
export function column(row: Record<string, unknown>, name: string): unknown {
  return name in row ? row[name] : row[name.toLowerCase()];
}
