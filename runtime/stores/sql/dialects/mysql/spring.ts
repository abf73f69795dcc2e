import { SPRING_SESSION_COLUMNS as S } from '../../../spring/jdbc-layout.js';
import { column, SPRING_EXPIRED_COLUMNS, springExpiredRow, type SpringJdbcStatements } from '../../../spring/jdbc-dialect.js';
import { mariadbSpringStatements } from '../mariadb/spring.js';

/**
 * MySQL 8 in Spring's JDBC layout (emitted and unit-checked only; no live MySQL here): MariaDB's
 * statements, except the cleanup: MySQL has no `DELETE … RETURNING`, so a batch is claimed with
 * `SELECT … FOR UPDATE SKIP LOCKED` in a transaction and deleted by primary key.
 */
export const mysqlSpringStatements: SpringJdbcStatements = {
  ...mariadbSpringStatements,
  name: 'mysql',
  async deleteExpired(executor, n, now, batch) {
    return executor.transaction(async (run) => {
      const claimed = await run(`SELECT ${S.primaryId}, ${SPRING_EXPIRED_COLUMNS.join(', ')} FROM ${n.table} WHERE ${S.expiryTime} <= ? ORDER BY ${S.expiryTime} LIMIT ? FOR UPDATE SKIP LOCKED`, [now, batch]);
      if (claimed.rows.length === 0) return [];
      const ids = claimed.rows.map((row) => String(column(row, S.primaryId)));
      await run(`DELETE FROM ${n.table} WHERE ${S.primaryId} IN (${ids.map(() => '?').join(', ')})`, ids);
      return claimed.rows.map(springExpiredRow);
    });
  },
};
