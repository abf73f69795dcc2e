import { SQL_COLUMNS as C } from '../../layout.js';
import { doubleQuote, type SqlDialect } from '../dialect.js';

/**
 * PostgreSQL 12+: attributes in a `jsonb` column patched with `-` and `||` (top-level members
 * replaced whole, so concurrent saves of different attributes all land: each UPDATE re-reads the
 * row it waited for). Statements keep one shape whatever the number of attributes, so the store
 * can prepare them once per connection. Cleanup claims rows with `FOR UPDATE SKIP LOCKED`.
 */
export const postgresDialect: SqlDialect = {
  name: 'postgres',
  quote: doubleQuote,
  transactionalDdl: true,
  patchAttributes(column, removed, set) {
    const object: Record<string, unknown> = {};
    for (const [name, json] of set) object[name] = JSON.parse(json);
    return { sql: `((${column} - ?::text[]) || ?::jsonb)`, bindings: [removed, JSON.stringify(object)] };
  },
  bindAttributes: (set) => JSON.stringify(set),
  upsertTail(table, assign, _attributes) {
    const q = doubleQuote;
    const sets = assign.map((column) => `${q(column)} = EXCLUDED.${q(column)}`);
    sets.push(`${q(C.attributes)} = ${table}.${q(C.attributes)} || EXCLUDED.${q(C.attributes)}`);
    return { sql: `ON CONFLICT (${q(C.sessionId)}) DO UPDATE SET ${sets.join(', ')}`, bindings: [] };
  },
  readAttributes: (value) => (typeof value === 'string' ? JSON.parse(value) : ((value ?? {}) as Record<string, unknown>)),
  readNumber: (value) => Number(value),
  bindIndex: (value) => value,
  updateThenInsert: (update, insert) => `WITH changed AS (${update} RETURNING 1) ${insert} SELECT ?::text, ?::text, ?::bigint FROM changed`,
  async deleteExpired(executor, table, now, batch) {
    const q = doubleQuote;
    const result = await executor.query(
      `DELETE FROM ${table} WHERE ${q(C.primaryId)} IN (SELECT ${q(C.primaryId)} FROM ${table} WHERE ${q(C.expiryTime)} <= ? LIMIT ? FOR UPDATE SKIP LOCKED) RETURNING ${q(C.sessionId)}`,
      [now, batch],
    );
    return result.rows.map((row) => String(row[C.sessionId]));
  },
};
