import { SPRING_ATTRIBUTE_COLUMNS as A, SPRING_NEVER_EXPIRES, SPRING_SESSION_COLUMNS as S } from '../../../spring/jdbc-layout.js';
import { SPRING_INSERT_COLUMNS, SPRING_EXPIRED_COLUMNS, springExpiredRow, type SpringJdbcStatements } from '../../../spring/jdbc-dialect.js';

/** PostgreSQL in Spring's JDBC layout: `ON CONFLICT` upserts (as Spring's PostgreSqlJdbcIndexedSessionRepositoryCustomizer), `RETURNING`, `SKIP LOCKED` cleanup. */
export const postgresSpringStatements: SpringJdbcStatements = {
  name: 'postgres',
  insertReturnsPrimaryId: true,
  updateStyle: 'returning',
  neverExpires: SPRING_NEVER_EXPIRES,
  insertSession: (n) =>
    `INSERT INTO ${n.table} (${SPRING_INSERT_COLUMNS.join(', ')}) VALUES (?, ?, ?, ?, ?, ?, ?) ` +
    `ON CONFLICT (${S.sessionId}) DO UPDATE SET ${S.lastAccessTime} = EXCLUDED.${S.lastAccessTime}, ${S.maxInactiveInterval} = EXCLUDED.${S.maxInactiveInterval}, ` +
    `${S.expiryTime} = EXCLUDED.${S.expiryTime}, ${S.principalName} = EXCLUDED.${S.principalName} RETURNING ${S.primaryId}`,
  upsertAttributes: (n, rows) =>
    `INSERT INTO ${n.attributesTable} (${A.sessionPrimaryId}, ${A.attributeName}, ${A.attributeBytes}) VALUES ${Array(rows).fill('(?, ?, ?)').join(', ')} ` +
    `ON CONFLICT (${A.sessionPrimaryId}, ${A.attributeName}) DO UPDATE SET ${A.attributeBytes} = EXCLUDED.${A.attributeBytes}`,
  async deleteExpired(executor, n, now, batch) {
    const result = await executor.query(
      `DELETE FROM ${n.table} WHERE ${S.primaryId} IN (SELECT ${S.primaryId} FROM ${n.table} WHERE ${S.expiryTime} <= ? LIMIT ? FOR UPDATE SKIP LOCKED) RETURNING ${SPRING_EXPIRED_COLUMNS.join(', ')}`,
      [now, batch],
    );
    return result.rows.map(springExpiredRow);
  },
};
