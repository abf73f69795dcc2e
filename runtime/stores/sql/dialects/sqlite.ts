import type { SqlDialect } from './dialect.js';

/** A JSON path for one top-level member, quoted so names like `draft:a-b` are one key. */
function memberPath(name: string): string {
  return `$."${name.replace(/"/g, '""')}"`;
}

/** SQLite 3.38+: JSON1 functions, RETURNING; one writer at a time, so no row locking is needed. */
export const sqliteDialect: SqlDialect = {
  name: 'sqlite',
  quote: (identifier) => `"${identifier.replace(/"/g, '""')}"`,
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
  readAttributes: (value) => (typeof value === 'string' ? JSON.parse(value) : (value as Record<string, unknown>)),
  readNumber: (value) => Number(value),
  bindIndex: (value, type) => (type === 'boolean' ? (value ? 1 : 0) : value),
  rows: (result) => result as Array<Record<string, unknown>>,
  affected: (result) => (result as { changes: number }).changes,
  deleteExpired(table, now, batch) {
    return {
      sql: `DELETE FROM ${table} WHERE "primary_id" IN (SELECT "primary_id" FROM ${table} WHERE "expiry_time" <= ? LIMIT ?) RETURNING "session_id"`,
      bindings: [now, batch],
    };
  },
};
