/**
 * Spring Session's JDBC layout, as `JdbcIndexedSessionRepository` (spring-session-jdbc 3.x) reads
 * and writes it: the one home of its table, column, key and index names. The Spring JDBC store
 * builds its statements from these and the generator gives them to the DDL templates
 * (`templates/sql/<dialect>/spring-schema.sql.hbs`). Spring writes every identifier unquoted, so
 * sessiongen does too: PostgreSQL folds them to lower case on both sides alike.
 */

/** Spring's default table (`JdbcIndexedSessionRepository.DEFAULT_TABLE_NAME`); attributes live in `<table>_ATTRIBUTES`. */
export const SPRING_DEFAULT_TABLE = 'SPRING_SESSION';

/** The session table's columns, by role. */
export const SPRING_SESSION_COLUMNS = {
  /** A random UUID made at creation, never changed (the attribute rows' foreign key). */
  primaryId: 'PRIMARY_ID',
  /** The public session id, unique; an id change updates it in place. */
  sessionId: 'SESSION_ID',
  /** Epoch ms. */
  creationTime: 'CREATION_TIME',
  /** Epoch ms. */
  lastAccessTime: 'LAST_ACCESS_TIME',
  /** Seconds; negative never expires. */
  maxInactiveInterval: 'MAX_INACTIVE_INTERVAL',
  /** Epoch ms at which the session expires; {@link SPRING_NEVER_EXPIRES} when it never does. */
  expiryTime: 'EXPIRY_TIME',
  /** The principal index (at most {@link SPRING_PRINCIPAL_NAME_LENGTH} characters), NULL without one. */
  principalName: 'PRINCIPAL_NAME',
} as const;

/** The attribute table's columns, by role: one row per attribute. */
export const SPRING_ATTRIBUTE_COLUMNS = {
  sessionPrimaryId: 'SESSION_PRIMARY_ID',
  attributeName: 'ATTRIBUTE_NAME',
  /** The value's bytes: UTF-8 JSON with the Java side's JSON conversion service. */
  attributeBytes: 'ATTRIBUTE_BYTES',
} as const;

/**
 * sessiongen's own table beside Spring's, `<table>_MOVED_IDS`: one row per recent id change, the old
 * id → the session's `PRIMARY_ID` (which an id change keeps), until `EXPIRY_TIME`. It forwards a
 * write made under the old id by a request that loaded the session before the change; the foreign
 * key drops the rows with their session. Spring never reads it.
 */
export const SPRING_MOVED_IDS_COLUMNS = {
  /** The id before the change; the primary key. */
  oldSessionId: 'OLD_SESSION_ID',
  /** The session's `PRIMARY_ID`: the marker follows every later id change by itself. */
  sessionPrimaryId: 'SESSION_PRIMARY_ID',
  /** Epoch ms until which the marker forwards writes. */
  expiryTime: 'EXPIRY_TIME',
} as const;

/** `EXPIRY_TIME` of a session that never expires: Java's `Long.MAX_VALUE`, as text (past JavaScript's exact integers). */
export const SPRING_NEVER_EXPIRES = '9223372036854775807';

/** The width of `PRINCIPAL_NAME` (VARCHAR(100)). */
export const SPRING_PRINCIPAL_NAME_LENGTH = 100;

/** The width of `ATTRIBUTE_NAME` (VARCHAR(200)). */
export const SPRING_ATTRIBUTE_NAME_LENGTH = 200;

/** The width of `SESSION_ID` (CHAR(36)): Spring's UUIDs, and sessiongen's. */
export const SPRING_SESSION_ID_LENGTH = 36;

/** What a Spring table name may be: an unquoted identifier every dialect takes as written. */
export const SPRING_SAFE_TABLE = /^[A-Za-z][A-Za-z0-9_]{0,47}$/;

/** The names of one table's companions, as Spring's schema scripts name them (`SPRING_SESSION` replaced by the table). */
export function springJdbcNames(table: string) {
  return {
    table,
    attributesTable: `${table}_ATTRIBUTES`,
    primaryKey: `${table}_PK`,
    sessionIdIndex: `${table}_IX1`,
    expiryIndex: `${table}_IX2`,
    principalIndex: `${table}_IX3`,
    attributesPrimaryKey: `${table}_ATTRIBUTES_PK`,
    attributesForeignKey: `${table}_ATTRIBUTES_FK`,
    movedTable: `${table}_MOVED_IDS`,
    movedPrimaryKey: `${table}_MOVED_IDS_PK`,
    movedForeignKey: `${table}_MOVED_IDS_FK`,
    movedExpiryIndex: `${table}_MOVED_IDS_IX1`,
  };
}

export type SpringJdbcNames = ReturnType<typeof springJdbcNames>;

/**
 * A dialect's Spring templates under `templates/sql/<dialect>/`: Spring's own tables
 * (`spring-schema.sql.hbs`, `spring-drop.sql.hbs`) and sessiongen's id-change markers beside them
 * (`spring-moved-ids.sql.hbs`, `spring-moved-ids-drop.sql.hbs`).
 */
export function springDdlTemplates(dialect: string): { createTables: string; dropTables: string; createMovedIds: string; dropMovedIds: string } {
  const folder = `sql/${dialect}`;
  return {
    createTables: `${folder}/spring-schema.sql.hbs`,
    dropTables: `${folder}/spring-drop.sql.hbs`,
    createMovedIds: `${folder}/spring-moved-ids.sql.hbs`,
    dropMovedIds: `${folder}/spring-moved-ids-drop.sql.hbs`,
  };
}

/** Stands for the table name in the generated Spring migrations (the runner puts the real name in, as Spring's `JdbcSchemaUtils` does). */
export { SQL_TABLE_PLACEHOLDER as SPRING_TABLE_PLACEHOLDER } from '../sql/layout.js';
