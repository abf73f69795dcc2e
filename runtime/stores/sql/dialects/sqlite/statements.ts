import { SQL_COLUMNS as C } from '../../layout.js';
import { doubleQuote, EXPIRED_ROW_COLUMNS, expiredRow, memberPath, type SqlDialect } from '../dialect.js';

/**
 * SQLite 3.38+: JSON1 functions, `ON CONFLICT … DO UPDATE` (never `INSERT OR REPLACE`, which
 * deletes the row and loses what the statement did not supply), `RETURNING`. One writer at a
 * time, so a cleanup batch needs no row locks to stay disjoint from another's.
 */
export const sqliteDialect: SqlDialect = {
  name: 'sqlite',
  quote: doubleQuote,
  transactionalDdl: true,
  patchAttributes(column, removed, set) {
    let sql = column;
    const bindings: unknown[] = [];
    if (removed.length > 0) {
      sql = `json_remove(${sql}, ${removed.map(() => '?').join(', ')})`;
      bindings.push(...removed.map(memberPath));
    }
    if (set.length > 0) {
      sql = `json_set(${sql}, ${set.map(() => '?, json(?)').join(', ')})`;
      for (const [name, json] of set) bindings.push(memberPath(name), json);
    }
    return { sql, bindings };
  },
  bindAttributes: (set) => JSON.stringify(set),
  upsertTail(_table, assign, attributes) {
    const q = doubleQuote;
    const sets = assign.map((column) => `${q(column)} = excluded.${q(column)}`);
    sets.push(`${q(C.attributes)} = ${attributes.sql}`);
    return { sql: `ON CONFLICT (${q(C.sessionId)}) DO UPDATE SET ${sets.join(', ')}`, bindings: attributes.bindings };
  },
  readAttributes: (value) => (typeof value === 'string' ? JSON.parse(value) : (value as Record<string, unknown>)),
  readNumber: (value) => Number(value),
  bindIndex: (value, type) => (type === 'boolean' ? (value ? 1 : 0) : value),
  async deleteExpired(executor, table, now, batch) {
    const q = doubleQuote;
    const result = await executor.query(
      `DELETE FROM ${table} WHERE ${q(C.primaryId)} IN (SELECT ${q(C.primaryId)} FROM ${table} WHERE ${q(C.expiryTime)} <= ? LIMIT ?) RETURNING ${EXPIRED_ROW_COLUMNS.map(q).join(', ')}`,
      [now, batch],
    );
    return result.rows.map(expiredRow);
  },
  extractMember: (column) => `${column} -> ?`,
  memberBinding: memberPath,
  deleteReturning: true,
};
