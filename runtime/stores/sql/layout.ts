/**
 * The SQL table layout: the names of the fixed columns and of the table's keys and indexes. The
 * store builds its statements from these and the generator gives them to the DDL templates
 * (templates/sql/<dialect>/), so a name lives here and nowhere else. Names are unquoted; each
 * dialect quotes them.
 */

/** The columns every session table has, by role. Index columns (one per indexed attribute) come between `expiryTime` and `attributes`. */
export const SQL_COLUMNS = {
  /** The row's primary key: a random UUID, never shown (a new session id keeps its row). */
  primaryId: 'primary_id',
  /** The session id, unique; what every statement looks a session up by. */
  sessionId: 'session_id',
  /** Epoch ms. */
  creationTime: 'creation_time',
  /** Epoch ms. */
  lastAccessTime: 'last_access_time',
  /** Seconds; negative never expires. */
  maxInactiveInterval: 'max_inactive_interval',
  /** Epoch ms when the session expires, NULL when never; indexed for the cleanup. */
  expiryTime: 'expiry_time',
  /** The attributes as one JSON object, patched per attribute by every save. */
  attributes: 'attributes',
} as const;

export type SqlColumnRole = keyof typeof SQL_COLUMNS;

/** The index on one column: `<table>_<column>_ix` (the expiry index and every attribute index). */
export function sqlIndexName(table: string, column: string): string {
  return `${table}_${column}_ix`;
}

/** The names of a table's own constraints and indexes. */
export function sqlTableNames(table: string) {
  return {
    primaryKey: `${table}_pk`,
    sessionIdIndex: `${table}_${SQL_COLUMNS.sessionId}_ux`,
    expiryIndex: sqlIndexName(table, SQL_COLUMNS.expiryTime),
    attributesCheck: `${table}_${SQL_COLUMNS.attributes}_json`,
  };
}

/**
 * The columns of a session table's id-change markers (`<table>_moved_ids`, see
 * {@link sqlMovedIdsTableNames}): one row per recent id change, kept until `expiryTime`.
 */
export const SQL_MOVED_IDS_COLUMNS = {
  /** The id the session had before the change; the primary key. */
  oldId: 'old_id',
  /** The id the change gave it. */
  newId: 'new_id',
  /** Epoch ms until which the marker forwards writes; indexed for the cleanup. */
  expiryTime: 'expiry_time',
} as const;

/**
 * The id-change marker table beside a session table, made by the generated migrations
 * (`add_moved_ids_table`), and its own key and index names.
 */
export function sqlMovedIdsTableNames(table: string) {
  const moved = `${table}_moved_ids`;
  return {
    table: moved,
    primaryKey: `${moved}_pk`,
    expiryIndex: sqlIndexName(moved, SQL_MOVED_IDS_COLUMNS.expiryTime),
  };
}

/** What a table name may be: a plain identifier, so it never needs escaping in any dialect. */
export const SQL_SAFE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Stands for the table name in the statements of generated migrations; the runner puts the real name in. */
export const SQL_TABLE_PLACEHOLDER = '%TABLE%';
