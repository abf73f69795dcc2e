import { memberPath, type SqlDialect, type SqlFragment } from './dialect.js';

const backtick = (identifier: string) => `\`${identifier.replace(/`/g, '``')}\``;

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
async function claimAndDelete(executor: Parameters<SqlDialect['deleteExpired']>[0], table: string, now: number, batch: number): Promise<string[]> {
  const q = backtick;
  return executor.transaction(async (run) => {
    const expiryIndex = q(`${table.slice(1, -1).replace(/``/g, '`')}_expiry_time_ix`);
    const claimed = await run(
      `SELECT ${q('primary_id')}, ${q('session_id')} FROM ${table} FORCE INDEX (${expiryIndex}) WHERE ${q('expiry_time')} <= ? LIMIT ? FOR UPDATE SKIP LOCKED`,
      [now, batch],
    );
    const ids = claimed.rows.map((row) => String(row.primary_id));
    for (let i = 0; i < ids.length; i += 100) {
      const chunk = ids.slice(i, i + 100);
      await run(`DELETE FROM ${table} WHERE ${q('primary_id')} IN (${chunk.map(() => '?').join(', ')})`, chunk);
    }
    return claimed.rows.map((row) => String(row.session_id));
  });
}

/**
 * MariaDB cleanup: one autocommit `DELETE … WHERE expiry_time <= ? ORDER BY expiry_time LIMIT ?
 * RETURNING session_id` per batch. Every cleaner walks the expiry index in the same order and
 * holds nothing between statements, so concurrent cleaners can wait on each other but never
 * deadlock, and a row another cleaner deleted is skipped (no double work). MariaDB 10.11 does
 * support `SELECT … FOR UPDATE SKIP LOCKED`, but claiming with it and then deleting by key
 * deadlocked now and then with three cleaners in test/sql/cleanup.test.ts, so it is not used here.
 */
async function deleteInExpiryOrder(executor: Parameters<SqlDialect['deleteExpired']>[0], table: string, now: number, batch: number): Promise<string[]> {
  const q = backtick;
  const result = await executor.query(
    `DELETE FROM ${table} WHERE ${q('expiry_time')} <= ? ORDER BY ${q('expiry_time')} LIMIT ? RETURNING ${q('session_id')}`,
    [now, batch],
  );
  return result.rows.map((row) => String(row.session_id));
}

const common = {
  quote: backtick,
  patchAttributes: patch,
  bindAttributes: (set: Record<string, unknown>) => JSON.stringify(set),
  readAttributes,
  readNumber: (value: unknown) => Number(value),
  bindIndex: (value: unknown, type: string) => (type === 'boolean' ? (value ? 1 : 0) : value),
};

/** MariaDB 10.6+: no MySQL 8 row alias, so the upsert reads the new row through `VALUES(col)`. */
export const mariadbDialect: SqlDialect = {
  ...common,
  name: 'mariadb',
  deleteExpired: deleteInExpiryOrder,
  upsertTail(_table, assign, attributes) {
    const q = backtick;
    const sets = assign.map((column) => `${q(column)} = VALUES(${q(column)})`);
    sets.push(`${q('attributes')} = ${attributes.sql}`);
    return { sql: `ON DUPLICATE KEY UPDATE ${sets.join(', ')}`, bindings: attributes.bindings };
  },
} as SqlDialect;

/** MySQL 8.0.19+: the row alias `AS new` (`VALUES()` is deprecated since 8.0.20). */
export const mysqlDialect: SqlDialect = {
  ...common,
  name: 'mysql',
  deleteExpired: claimAndDelete,
  upsertTail(_table, assign, attributes) {
    const q = backtick;
    const sets = assign.map((column) => `${q(column)} = ${q('new')}.${q(column)}`);
    sets.push(`${q('attributes')} = ${attributes.sql}`);
    return { sql: `AS ${q('new')} ON DUPLICATE KEY UPDATE ${sets.join(', ')}`, bindings: attributes.bindings };
  },
} as SqlDialect;
