import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { IndexDescriptor, IndexValue, SessionDescriptor } from '../../core/descriptor.js';
import { SessionStoreError } from '../../core/errors.js';
import { DEFAULT_ID_FORWARDING_MS, type DeleteByIndexOptions, type ListIdsOptions, type SessionRecord, type SessionStore, type SessionWrite, type StoreExpiryListener, type WriteOutcome } from '../../core/store.js';
import { detectDialect, dialectFor, dialectsOfClient, knexClientName, type SqlDialect, type SqlDialectName, type SqlExecutor } from './dialects/index.js';
import type { ExpiredRow } from './dialects/dialect.js';
import { KnexRawExecutor, PgPoolExecutor, PgPreparedExecutor } from './executor.js';
import { SqliteExecutor, type SqliteSynchronous } from './dialects/sqlite/executor.js';
import { SQL_COLUMNS as C, SQL_MOVED_IDS_COLUMNS as M, SQL_SAFE_NAME, sqlMovedIdsTableNames } from './layout.js';

export interface SqlStoreOptions {
  /** Run the expired-row cleanup on this instance every this many ms (with jitter); 0 or false turns it off. */
  cleanupIntervalMs?: number | false;
  /** Rows deleted per cleanup statement. */
  cleanupBatchSize?: number;
  /** Force a dialect (otherwise from the knex client; `mysql2` asks the server: MySQL or MariaDB). */
  dialect?: SqlDialectName;
  /** Another table than the descriptor's `sql.table` (such as a per-test table). */
  table?: string;
  /**
   * Prepared statements (default true). PostgreSQL: named prepared statements. SQLite: each
   * statement prepared once on the better-sqlite3 connection knex's pool holds, and run on it
   * directly. False sends every statement through `knex.raw`.
   */
  preparedStatements?: boolean;
  /**
   * SQLite only: `PRAGMA synchronous` on the store's connection, which the store also puts in WAL
   * mode. `NORMAL` (default): a commit survives a crash of the app; a power loss or OS crash may
   * roll back the last commits, never corrupting the database. `FULL`: a commit survives those too,
   * at the cost of an fsync per commit. (With `preparedStatements: false`, the connection keeps
   * the pragmas knex's config gives it.)
   */
  sqliteSynchronous?: SqliteSynchronous;
  /**
   * PostgreSQL only: `own` (default) runs the store's statements on a `pg.Pool` of its own, built
   * from the knex client's connection config and pool size; `knex` borrows connections from knex's pool.
   */
  pgPool?: 'own' | 'knex';
  /** Size of the store's own `pg.Pool` (default: the knex pool's max). */
  poolSize?: number;
}

/** The plain columns of a new row, in the order of its values. */
const FIXED = [C.primaryId, C.sessionId, C.creationTime, C.lastAccessTime, C.maxInactiveInterval, C.expiryTime];
const SELECTED = [C.sessionId, C.creationTime, C.lastAccessTime, C.maxInactiveInterval, C.attributes];
/** The plain columns an update sets (the session id, for an id change). */
const UPDATED = [C.sessionId, C.lastAccessTime, C.maxInactiveInterval, C.expiryTime];
/** How many id changes in a row a forwarded write follows (each login is one). */
const MAX_FORWARDS = 8;

/**
 * Sessions in one SQL table through knex: fixed columns, one typed column per index, and the
 * attributes as one JSON document patched per attribute in the UPDATE itself, so concurrent saves
 * of different attributes all land and every save is one statement. A create is an upsert on
 * `session_id`, so two concurrent first saves merge instead of raising a duplicate-key error.
 *
 * An id change updates `session_id` in place and, in the same transaction, records the marker old
 * id → new id in `<table>_moved_ids` (see `sqlMovedIdsTableNames`). An update that finds no row under its
 * id looks for a marker and, when there is one, runs again under the new id.
 *
 * `expiry_time` is the `expiresAt` of the last write (the earlier of the idle and the absolute
 * timeout). Summaries (`findSummariesByIndex`) select the times and the named members of the JSON
 * column, never the whole column; `deleteByIndex` is one `DELETE … RETURNING` (on MySQL, one
 * transaction), so "sign out everywhere" is atomic.
 */
export class SqlSessionStore implements SessionStore {
  readonly knex: Knex;
  readonly table: string;
  /** The table of id-change markers (old id → new id). */
  readonly movedTable: string;
  private dialectNow: SqlDialect;
  private ready: Promise<void> | undefined;
  private executor: SqlExecutor;
  private readonly client: string;
  private readonly expiryListeners: StoreExpiryListener[] = [];
  private readonly statements = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private readonly batch: number;
  private readonly prepared: boolean;
  private readonly pgPool: 'own' | 'knex';
  private readonly poolSize: number | undefined;
  private readonly sqliteSynchronous: SqliteSynchronous | undefined;

  constructor(
    private readonly descriptor: SessionDescriptor,
    knex: Knex,
    options: SqlStoreOptions = {},
  ) {
    this.knex = knex;
    this.table = options.table ?? descriptor.sql.table;
    if (!SQL_SAFE_NAME.test(this.table)) throw new Error(`sql store: unsafe table name '${this.table}'`);
    this.movedTable = sqlMovedIdsTableNames(this.table).table;
    this.client = knexClientName(knex);
    this.dialectNow = dialectFor(knex, options.dialect);
    this.prepared = options.preparedStatements ?? true;
    this.pgPool = options.pgPool ?? 'own';
    this.poolSize = options.poolSize;
    this.sqliteSynchronous = options.sqliteSynchronous;
    this.executor = this.makeExecutor();
    if (!options.dialect && dialectsOfClient(this.client).length > 1) {
      this.ready = detectDialect(knex).then((dialect) => {
        this.dialectNow = dialect;
        this.statements.clear();
        this.ready = undefined;
      });
      this.ready.catch(() => undefined);
    }
    this.batch = options.cleanupBatchSize ?? 500;
    const every = options.cleanupIntervalMs ?? 60_000;
    if (every) this.scheduleCleanup(every);
  }

  /** `postgres`, `mariadb`, `mysql` or `sqlite` (for `mysql2`, known after the first call). */
  get kind(): string {
    return this.dialectNow.name;
  }

  /** Whether this instance runs the expired-row cleanup on a timer. */
  get cleanupScheduled(): boolean {
    return this.timer !== undefined;
  }

  get dialect(): SqlDialect {
    return this.dialectNow;
  }

  async load(id: string): Promise<SessionRecord | null> {
    if (this.ready) await this.settle('load');
    const sql = this.sql('load', (q, t) => `SELECT ${SELECTED.map(q).join(', ')} FROM ${t} WHERE ${q(C.sessionId)} = ?`);
    const result = await this.run('load', sql, [id]);
    const row = result.rows[0];
    return row ? this.toRecord(row) : null;
  }

  async write(write: SessionWrite): Promise<WriteOutcome> {
    if (this.ready) await this.settle('write');
    return write.isNew ? this.insert(write) : this.update(write);
  }

  async isMoved(id: string, now: number = Date.now()): Promise<boolean> {
    const sql = await this.statement(
      'moved-live',
      (q, t) =>
        `SELECT m.${q(M.newId)} AS ${q('new_id')}, s.${q(C.sessionId)} AS ${q('live')} FROM ${q(this.movedTable)} m LEFT JOIN ${t} s ON s.${q(C.sessionId)} = m.${q(M.newId)} ` +
        `AND (s.${q(C.expiryTime)} IS NULL OR s.${q(C.expiryTime)} > ?) WHERE m.${q(M.oldId)} = ? AND m.${q(M.expiryTime)} > ?`,
    );
    let at = id;
    for (let hop = 0; hop < MAX_FORWARDS; hop++) {
      const row = (await this.run('isMoved', sql, [now, at, now])).rows[0];
      if (!row) return false;
      if (row.live !== null && row.live !== undefined) return true;
      at = String(row.new_id);
    }
    return false;
  }

  async delete(id: string): Promise<boolean> {
    const sql = await this.statement('delete', (q, t) => `DELETE FROM ${t} WHERE ${q(C.sessionId)} = ?`);
    return (await this.run('delete', sql, [id])).affected > 0;
  }

  async findByIndex(index: IndexDescriptor, value: IndexValue): Promise<SessionRecord[]> {
    const sql = await this.statement(
      `find:${index.column}`,
      (q, t) =>
        `SELECT ${SELECTED.map(q).join(', ')} FROM ${t} WHERE ${q(index.column)} = ? AND (${q(C.expiryTime)} IS NULL OR ${q(C.expiryTime)} > ?)`,
    );
    const result = await this.run('findByIndex', sql, [this.dialectNow.bindIndex(value, index.type), Date.now()]);
    return result.rows.map((row) => this.toRecord(row));
  }

  /**
   * The live rows of an index value with their times, the index column, and each named member of
   * the attributes JSON (`names` other than the index's attribute), extracted by the database.
   */
  async findSummariesByIndex(index: IndexDescriptor, value: IndexValue, names: readonly string[]): Promise<SessionRecord[]> {
    const members = names.filter((name) => name !== index.attribute);
    const sql = await this.statement(`summaries:${index.column}:${members.length}`, (q, t) => {
      const extracted = members.map((_, i) => `${this.dialectNow.extractMember(q(C.attributes))} AS ${q(`m${i}`)}`);
      const columns = [...SELECTED.slice(0, 4).map(q), q(index.column), ...extracted];
      return `SELECT ${columns.join(', ')} FROM ${t} WHERE ${q(index.column)} = ? AND (${q(C.expiryTime)} IS NULL OR ${q(C.expiryTime)} > ?)`;
    });
    const d = this.dialectNow;
    const bindings = [...members.map((name) => d.memberBinding(name)), d.bindIndex(value, index.type), Date.now()];
    const result = await this.run('findSummariesByIndex', sql, bindings);
    return result.rows.map((row) => {
      const attributes: Record<string, unknown> = {};
      if (names.includes(index.attribute)) attributes[index.attribute] = readIndexValue(row[index.column], index);
      members.forEach((name, i) => {
        const member = readMember(row[`m${i}`]);
        if (member !== undefined) attributes[name] = member;
      });
      return {
        id: String(row[C.sessionId]),
        creationTime: d.readNumber(row[C.creationTime]),
        lastAccessedTime: d.readNumber(row[C.lastAccessTime]),
        maxInactiveInterval: d.readNumber(row[C.maxInactiveInterval]),
        attributes,
      };
    });
  }

  /**
   * One statement: `DELETE … WHERE <index column> = ? AND live AND session_id NOT IN (except)
   * RETURNING session_id`; on MySQL (no RETURNING), a transaction that locks the rows, then deletes them.
   */
  async deleteByIndex(index: IndexDescriptor, value: IndexValue, options: DeleteByIndexOptions): Promise<string[]> {
    const d = this.dialectNow;
    const where = (q: (id: string) => string) =>
      `${q(index.column)} = ? AND (${q(C.expiryTime)} IS NULL OR ${q(C.expiryTime)} > ?)` +
      (options.except.length > 0 ? ` AND ${q(C.sessionId)} NOT IN (${options.except.map(() => '?').join(', ')})` : '');
    const bindings = [d.bindIndex(value, index.type), options.now, ...options.except];
    const shape = `${index.column}:${options.except.length}`;
    if (d.deleteReturning) {
      const sql = await this.statement(`deleteByIndex:${shape}`, (q, t) => `DELETE FROM ${t} WHERE ${where(q)} RETURNING ${q(C.sessionId)}`);
      return (await this.run('deleteByIndex', sql, bindings)).rows.map((row) => String(row[C.sessionId]));
    }
    const select = await this.statement(`lockByIndex:${shape}`, (q, t) => `SELECT ${q(C.primaryId)}, ${q(C.sessionId)} FROM ${t} WHERE ${where(q)} FOR UPDATE`);
    try {
      return await this.executor.transaction(async (run) => {
        const rows = (await run(select, bindings)).rows;
        const q = d.quote;
        for (let i = 0; i < rows.length; i += 100) {
          const chunk = rows.slice(i, i + 100).map((row) => row[C.primaryId]);
          await run(`DELETE FROM ${q(this.table)} WHERE ${q(C.primaryId)} IN (${chunk.map(() => '?').join(', ')})`, chunk);
        }
        return rows.map((row) => String(row[C.sessionId]));
      });
    } catch (err) {
      throw new SessionStoreError(this.kind, 'deleteByIndex', err);
    }
  }

  /**
   * The ids of the rows not expired at `now`, in `session_id` order, one keyset page per query
   * (`session_id > last ORDER BY session_id LIMIT n`, on the unique index), so no query holds more
   * than a page whatever the table's size.
   */
  async *listIds(options: ListIdsOptions): AsyncIterable<string> {
    const pageSize = Math.max(1, Math.floor(options.pageSize ?? 500));
    const sql = await this.statement(
      'listIds',
      (q, t) =>
        `SELECT ${q(C.sessionId)} FROM ${t} WHERE ${q(C.sessionId)} > ? AND (${q(C.expiryTime)} IS NULL OR ${q(C.expiryTime)} > ?) ` +
        `ORDER BY ${q(C.sessionId)} LIMIT ?`,
    );
    let after = '';
    for (;;) {
      const rows = (await this.run('listIds', sql, [after, options.now, pageSize])).rows;
      for (const row of rows) yield String(row[C.sessionId]);
      if (rows.length < pageSize) return;
      after = String(rows[rows.length - 1]![C.sessionId]);
    }
  }

  onExpired(listener: StoreExpiryListener): void {
    this.expiryListeners.push(listener);
  }

  /**
   * Deletes expired rows in batches and emits their expired events; returns how many. Safe to run
   * on several instances at once: each batch claims distinct rows (`SKIP LOCKED` on PostgreSQL and
   * MariaDB/MySQL; SQLite has one writer at a time).
   */
  async cleanupExpired(now: number = Date.now()): Promise<number> {
    if (this.ready) await this.settle('cleanup');
    const table = this.dialectNow.quote(this.table);
    let total = 0;
    for (;;) {
      let rows: ExpiredRow[];
      try {
        rows = await this.dialectNow.deleteExpired(this.executor, table, now, this.batch);
      } catch (err) {
        throw new SessionStoreError(this.kind, 'cleanup', err);
      }
      total += rows.length;
      const d = this.dialectNow;
      for (const row of rows) {
        const expired = {
          lastAccessedTime: d.readNumber(row.lastAccessTime),
          maxInactiveInterval: d.readNumber(row.maxInactiveInterval),
          expiresAt: row.expiryTime === null || row.expiryTime === undefined ? null : d.readNumber(row.expiryTime),
        };
        for (const listener of this.expiryListeners) listener(row.sessionId, expired);
      }
      if (rows.length < this.batch) break;
    }
    const markers = await this.statement('moved-cleanup', (q) => `DELETE FROM ${q(this.movedTable)} WHERE ${q(M.expiryTime)} <= ?`);
    await this.run('cleanup', markers, [now]);
    return total;
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.executor instanceof PgPoolExecutor) await this.executor.end();
  }

  private async insert(write: SessionWrite): Promise<WriteOutcome> {
    const d = this.dialectNow;
    const indexes = this.descriptor.indexes;
    const set = Object.entries(write.set).map(([name, value]): [string, string] => [name, JSON.stringify(value)]);
    const patch = d.patchAttributes(`${d.quote(this.table)}.${d.quote(C.attributes)}`, [], set);
    const key = `insert:${set.length}`;
    const sql = this.sql(key, (q, t) => {
      const columns = [...FIXED, ...indexes.map((index) => index.column), C.attributes];
      const tail = d.upsertTail(t, [...FIXED.slice(2), ...indexes.map((index) => index.column)], patch);
      return `INSERT INTO ${t} (${columns.map(q).join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) ${tail.sql}`;
    });
    const values: unknown[] = [randomUUID(), write.id, write.creationTime, write.lastAccessedTime, write.maxInactiveInterval, write.expiresAt];
    for (const index of indexes) values.push(this.indexBinding(write, index));
    values.push(d.bindAttributes(write.set));
    values.push(...d.upsertTail('', [], patch).bindings);
    await this.run('insert', sql, values);
    return 'written';
  }

  /**
   * An update; when no live row has its id, it follows the id's markers and runs again under the
   * id the session has now (a session loaded before another request changed its id).
   */
  private async update(write: SessionWrite): Promise<WriteOutcome> {
    if (write.previousId !== undefined) return this.move(write);
    let target = write;
    for (let hop = 0; ; hop++) {
      if ((await this.run('update', ...this.updateStatement(target))).affected > 0) return 'written';
      const next = hop < MAX_FORWARDS ? await this.movedTo(target.id, write.now) : null;
      if (next === null) return 'gone';
      target = { ...write, id: next };
    }
  }

  /**
   * An id change: the UPDATE that renames the row and the marker old id → new id, in one
   * transaction. When no live row has the old id: `moved` if its own marker says another change
   * won, else `gone`.
   */
  private async move(write: SessionWrite): Promise<WriteOutcome> {
    const from = write.previousId!;
    const d = this.dialectNow;
    const [update, bindings] = this.updateStatement(write);
    const insert = `INSERT INTO ${d.quote(this.movedTable)} (${[M.oldId, M.newId, M.expiryTime].map(d.quote).join(', ')})`;
    const marker = [from, write.id, write.now + (write.forwardingMs ?? DEFAULT_ID_FORWARDING_MS)];
    let moved: boolean;
    if (d.updateThenInsert) {
      const both = await this.statement(`moved:${update}`, () => d.updateThenInsert!(update, insert));
      moved = (await this.run('update', both, [...bindings, ...marker])).affected > 0;
    } else {
      try {
        moved = await this.executor.transaction(async (run) => {
          if ((await run(update, bindings)).affected === 0) return false;
          await run(`${insert} VALUES (?, ?, ?)`, marker);
          return true;
        });
      } catch (err) {
        throw new SessionStoreError(this.kind, 'update', err);
      }
    }
    if (moved) return 'written';
    return (await this.movedTo(from, write.now)) === null ? 'gone' : 'moved';
  }

  /** The id a marker says `id` was changed to, while the marker lasts. */
  private async movedTo(id: string, now: number): Promise<string | null> {
    const sql = await this.statement('moved-to', (q) => `SELECT ${q(M.newId)} AS ${q('new_id')} FROM ${q(this.movedTable)} WHERE ${q(M.oldId)} = ? AND ${q(M.expiryTime)} > ?`);
    const row = (await this.run('update', sql, [id, now])).rows[0];
    return row ? String(row.new_id) : null;
  }

  /** The UPDATE of one delta (renaming the row when the id changes) and its bindings (after `write` settled the dialect). */
  private updateStatement(write: SessionWrite): [string, unknown[]] {
    const d = this.dialectNow;
    const changed = this.descriptor.indexes.filter((index) => write.changedIndexes.includes(index.name));
    const set = Object.entries(write.set).map(([name, value]): [string, string] => [name, JSON.stringify(value)]);
    const patching = set.length > 0 || write.removed.length > 0;
    const patch = patching ? d.patchAttributes(d.quote(C.attributes), write.removed, set) : undefined;
    const key = `update:${changed.map((index) => index.column).join(',')}:${patch ? `${write.removed.length}:${set.length}` : '-'}`;
    const sql = this.sql(key, (q, t) => {
      const sets = UPDATED.map((column) => `${q(column)} = ?`);
      for (const index of changed) sets.push(`${q(index.column)} = ?`);
      if (patch) sets.push(`${q(C.attributes)} = ${patch.sql}`);
      return `UPDATE ${t} SET ${sets.join(', ')} WHERE ${q(C.sessionId)} = ? AND (${q(C.expiryTime)} IS NULL OR ${q(C.expiryTime)} > ?)`;
    });
    const bindings: unknown[] = [write.id, write.lastAccessedTime, write.maxInactiveInterval, write.expiresAt];
    for (const index of changed) bindings.push(this.indexBinding(write, index));
    if (patch) bindings.push(...patch.bindings);
    bindings.push(write.previousId ?? write.id, write.now);
    return [sql, bindings];
  }

  private indexBinding(write: SessionWrite, index: IndexDescriptor): unknown {
    const value = write.indexes[index.name];
    return value === null || value === undefined ? null : this.dialectNow.bindIndex(value, index.type);
  }

  private toRecord(row: Record<string, unknown>): SessionRecord {
    const d = this.dialectNow;
    return {
      id: String(row[C.sessionId]),
      creationTime: d.readNumber(row[C.creationTime]),
      lastAccessedTime: d.readNumber(row[C.lastAccessTime]),
      maxInactiveInterval: d.readNumber(row[C.maxInactiveInterval]),
      attributes: d.readAttributes(row[C.attributes]),
    };
  }

  /** A statement's SQL text, built once per shape (once the dialect is known). */
  private async statement(key: string, build: (q: (id: string) => string, table: string) => string): Promise<string> {
    if (this.ready) await this.settle(key);
    return this.sql(key, build);
  }

  /** A statement's SQL text, built once per shape; only where the dialect is settled (`ready` awaited). */
  private sql(key: string, build: (q: (id: string) => string, table: string) => string): string {
    let sql = this.statements.get(key);
    if (sql === undefined) {
      const q = this.dialectNow.quote;
      sql = build(q, q(this.table));
      this.statements.set(key, sql);
    }
    return sql;
  }

  private async settle(operation: string): Promise<void> {
    try {
      await this.ready;
    } catch (err) {
      this.ready = undefined;
      throw new SessionStoreError(this.kind, operation, err);
    }
    this.executor = this.makeExecutor();
  }

  private makeExecutor(): SqlExecutor {
    if (this.dialectNow.name === 'postgres' && this.prepared) {
      return this.pgPool === 'own' ? new PgPoolExecutor(this.knex, this.poolSize) : new PgPreparedExecutor(this.knex);
    }
    if (this.dialectNow.name === 'sqlite' && this.prepared && this.client === 'better-sqlite3') return new SqliteExecutor(this.knex, this.sqliteSynchronous);
    return new KnexRawExecutor(this.knex, this.client, this.dialectNow.name === 'sqlite' ? undefined : 'read committed');
  }

  private async run(operation: string, sql: string, bindings: unknown[]) {
    try {
      return await this.executor.query(sql, bindings);
    } catch (err) {
      throw new SessionStoreError(this.kind, operation, err);
    }
  }

  private scheduleCleanup(every: number): void {
    const next = every / 2 + Math.random() * every;
    this.timer = setTimeout(() => {
      this.cleanupExpired()
        .catch((err) => console.error('sessiongen: expired-session cleanup failed:', (err as Error).message))
        .finally(() => {
          if (this.timer) this.scheduleCleanup(every);
        });
    }, next);
    this.timer.unref();
  }
}

/** A member of the attributes JSON as the database returned it: JSON text, or the driver's parse of it (mysql2). */
function readMember(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/** An index column's value as the attribute holds it (SQLite and MySQL keep booleans as 0/1, bigints may come as text). */
function readIndexValue(value: unknown, index: IndexDescriptor): unknown {
  if (value === null || value === undefined) return undefined;
  if (index.type === 'boolean') return value === true || value === 1 || value === '1';
  if (index.type === 'integer' || index.type === 'number') return Number(value);
  return String(value);
}
