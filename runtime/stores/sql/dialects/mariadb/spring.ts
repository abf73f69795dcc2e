import { SPRING_ATTRIBUTE_COLUMNS as A, SPRING_NEVER_EXPIRES, SPRING_SESSION_COLUMNS as S } from '../../../spring/jdbc-layout.js';
import { SPRING_INSERT_COLUMNS, SPRING_EXPIRED_COLUMNS, springExpiredRow, type SpringJdbcStatements } from '../../../spring/jdbc-dialect.js';

/**
 * MariaDB 10.6+ in Spring's JDBC layout: `ON DUPLICATE KEY UPDATE … VALUES(col)` upserts (as
 * Spring's MySqlJdbcIndexedSessionRepositoryCustomizer), no UPDATE … RETURNING (the row is locked
 * and read first), and `DELETE … RETURNING` cleanup.
 */
export const mariadbSpringStatements: SpringJdbcStatements = {
  name: 'mariadb',
  insertReturnsPrimaryId: false,
  updateStyle: 'lock',
  neverExpires: SPRING_NEVER_EXPIRES,
  insertSession: (n) =>
    `INSERT INTO ${n.table} (${SPRING_INSERT_COLUMNS.join(', ')}) VALUES (?, ?, ?, ?, ?, ?, ?) ` +
    `ON DUPLICATE KEY UPDATE ${S.lastAccessTime} = VALUES(${S.lastAccessTime}), ${S.maxInactiveInterval} = VALUES(${S.maxInactiveInterval}), ` +
    `${S.expiryTime} = VALUES(${S.expiryTime}), ${S.principalName} = VALUES(${S.principalName})`,
  upsertAttributes: (n, rows) =>
    `INSERT INTO ${n.attributesTable} (${A.sessionPrimaryId}, ${A.attributeName}, ${A.attributeBytes}) VALUES ${Array(rows).fill('(?, ?, ?)').join(', ')} ` +
    `ON DUPLICATE KEY UPDATE ${A.attributeBytes} = VALUES(${A.attributeBytes})`,
  async deleteExpired(executor, n, now, batch) {
    const result = await executor.query(`DELETE FROM ${n.table} WHERE ${S.expiryTime} <= ? ORDER BY ${S.expiryTime} LIMIT ? RETURNING ${SPRING_EXPIRED_COLUMNS.join(', ')}`, [now, batch]);
    return result.rows.map(springExpiredRow);
  },
};
