import { SQL_COLUMNS as C } from '../../layout.js';
import { backtick, EXPIRED_ROW_COLUMNS, expiredRow, type ExpiredRow, type SqlDialect } from '../dialect.js';
import { mysqlFamilyStatements } from '../mysql/statements.js';

/**
 * MariaDB cleanup: one autocommit `DELETE … WHERE expiry_time <= ? ORDER BY expiry_time LIMIT ?
 * RETURNING session_id` per batch. Every cleaner walks the expiry index in the same order and
 * holds nothing between statements, so concurrent cleaners can wait on each other but never
 * deadlock, and a row another cleaner deleted is skipped (no double work). MariaDB 10.11 does
 * support `SELECT … FOR UPDATE SKIP LOCKED`, but claiming with it and then deleting by key
 * deadlocked now and then with three cleaners in test/sql/cleanup.test.ts, so it is not used here.
 */
async function deleteInExpiryOrder(executor: Parameters<SqlDialect['deleteExpired']>[0], table: string, now: number, batch: number): Promise<ExpiredRow[]> {
  const q = backtick;
  const result = await executor.query(
    `DELETE FROM ${table} WHERE ${q(C.expiryTime)} <= ? ORDER BY ${q(C.expiryTime)} LIMIT ? RETURNING ${EXPIRED_ROW_COLUMNS.map(q).join(', ')}`,
    [now, batch],
  );
  return result.rows.map(expiredRow);
}

/** MariaDB 10.6+: no MySQL 8 row alias, so the upsert reads the new row through `VALUES(col)`. */
export const mariadbDialect: SqlDialect = {
  ...mysqlFamilyStatements,
  name: 'mariadb',
  deleteExpired: deleteInExpiryOrder,
  deleteReturning: true,
  upsertTail(_table, assign, attributes) {
    const q = backtick;
    const sets = assign.map((column) => `${q(column)} = VALUES(${q(column)})`);
    sets.push(`${q(C.attributes)} = ${attributes.sql}`);
    return { sql: `ON DUPLICATE KEY UPDATE ${sets.join(', ')}`, bindings: attributes.bindings };
  },
} as SqlDialect;
