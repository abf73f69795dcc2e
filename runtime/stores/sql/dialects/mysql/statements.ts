import { SQL_COLUMNS as C, sqlIndexName } from '../../layout.js';
import { backtick, EXPIRED_ROW_COLUMNS, expiredRow, memberPath, type ExpiredRow, type SqlDialect, type SqlFragment } from '../dialect.js';

function patch(column: string, removed: readonly string[], set: ReadonlyArray<[string, string]>): SqlFragment {
  let sql = column;
  const bindings: unknown[] = [];
  if (removed.length > 0) {
    sql = `JSON_REMOVE(${sql}, ${removed.map(() => '?').join(', ')})`;
    bindings.push(...removed.map(memberPath));
  }
  if (set.length > 0) {
    // JSON_EXTRACT(?, '$') makes the bound text a JSON value, not a JSON string.
    sql = `JSON_SET(${sql}, ${set.map(() => `?, JSON_EXTRACT(?, '$')`).join(', ')})`;
    for (const [name, json] of set) bindings.push(memberPath(name), json);
  }
  return { sql, bindings };
}

function readAttributes(value: unknown): Record<string, unknown> {
  if (typeof value === 'string') return JSON.parse(value);
  if (Buffer.isBuffer(value)) return JSON.parse(value.toString('utf8'));
  return (value ?? {}) as Record<string, unknown>;
}

/**
 * MySQL 8 cleanup (emitted and unit-checked only; no live MySQL here): in one READ COMMITTED
 * transaction, claim a batch through the expiry index with `SELECT … FOR UPDATE SKIP LOCKED`, then
 * delete those rows by primary key in short key lists (MySQL has no `DELETE … RETURNING`).
 */
async function claimAndDelete(executor: Parameters<SqlDialect['deleteExpired']>[0], table: string, now: number, batch: number): Promise<ExpiredRow[]> {
  const q = backtick;
  return executor.transaction(async (run) => {
    const expiryIndex = q(sqlIndexName(table.slice(1, -1).replace(/``/g, '`'), C.expiryTime));
    const claimed = await run(
      `SELECT ${q(C.primaryId)}, ${EXPIRED_ROW_COLUMNS.map(q).join(', ')} FROM ${table} FORCE INDEX (${expiryIndex}) WHERE ${q(C.expiryTime)} <= ? LIMIT ? FOR UPDATE SKIP LOCKED`,
      [now, batch],
    );
    const ids = claimed.rows.map((row) => String(row[C.primaryId]));
    for (let i = 0; i < ids.length; i += 100) {
      const chunk = ids.slice(i, i + 100);
      await run(`DELETE FROM ${table} WHERE ${q(C.primaryId)} IN (${chunk.map(() => '?').join(', ')})`, chunk);
    }
    return claimed.rows.map(expiredRow);
  });
}

/** What MySQL and MariaDB share (mariadb/statements.ts adds its own upsert and cleanup). */
export const mysqlFamilyStatements = {
  quote: backtick,
  transactionalDdl: false,
  patchAttributes: patch,
  bindAttributes: (set: Record<string, unknown>) => JSON.stringify(set),
  readAttributes,
  readNumber: (value: unknown) => Number(value),
  bindIndex: (value: unknown, type: string) => (type === 'boolean' ? (value ? 1 : 0) : value),
  extractMember: (column: string) => `JSON_EXTRACT(${column}, ?)`,
  memberBinding: memberPath,
};

/** MySQL 8.0.19+: the row alias `AS new` (`VALUES()` is deprecated since 8.0.20). */
export const mysqlDialect: SqlDialect = {
  ...mysqlFamilyStatements,
  name: 'mysql',
  deleteExpired: claimAndDelete,
  deleteReturning: false,
  upsertTail(_table, assign, attributes) {
    const q = backtick;
    const sets = assign.map((column) => `${q(column)} = ${q('new')}.${q(column)}`);
    sets.push(`${q(C.attributes)} = ${attributes.sql}`);
    return { sql: `AS ${q('new')} ON DUPLICATE KEY UPDATE ${sets.join(', ')}`, bindings: attributes.bindings };
  },
} as SqlDialect;
