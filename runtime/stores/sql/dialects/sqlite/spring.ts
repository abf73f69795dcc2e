import { SPRING_ATTRIBUTE_COLUMNS as A, SPRING_SESSION_COLUMNS as S } from '../../../spring/jdbc-layout.js';
import { SPRING_INSERT_COLUMNS, SPRING_EXPIRED_COLUMNS, springExpiredRow, type SpringJdbcStatements } from '../../../spring/jdbc-dialect.js';

/** SQLite 3.35+ in Spring's JDBC layout: `ON CONFLICT … DO UPDATE` upserts and `RETURNING`; one writer at a time, so cleanup needs no claiming. */
export const sqliteSpringStatements: SpringJdbcStatements = {
  name: 'sqlite',
  insertReturnsPrimaryId: true,
  updateStyle: 'returning',
  neverExpires: 9223372036854775807n,
  insertSession: (n) =>
    `INSERT INTO ${n.table} (${SPRING_INSERT_COLUMNS.join(', ')}) VALUES (?, ?, ?, ?, ?, ?, ?) ` +
    `ON CONFLICT (${S.sessionId}) DO UPDATE SET ${S.lastAccessTime} = excluded.${S.lastAccessTime}, ${S.maxInactiveInterval} = excluded.${S.maxInactiveInterval}, ` +
    `${S.expiryTime} = excluded.${S.expiryTime}, ${S.principalName} = excluded.${S.principalName} RETURNING ${S.primaryId}`,
  upsertAttributes: (n, rows) =>
    `INSERT INTO ${n.attributesTable} (${A.sessionPrimaryId}, ${A.attributeName}, ${A.attributeBytes}) VALUES ${Array(rows).fill('(?, ?, ?)').join(', ')} ` +
    `ON CONFLICT (${A.sessionPrimaryId}, ${A.attributeName}) DO UPDATE SET ${A.attributeBytes} = excluded.${A.attributeBytes}`,
  async deleteExpired(executor, n, now, batch) {
    const result = await executor.query(
      `DELETE FROM ${n.table} WHERE ${S.primaryId} IN (SELECT ${S.primaryId} FROM ${n.table} WHERE ${S.expiryTime} <= ? LIMIT ?) RETURNING ${SPRING_EXPIRED_COLUMNS.join(', ')}`,
      [now, batch],
    );
    return result.rows.map(springExpiredRow);
  },
};
