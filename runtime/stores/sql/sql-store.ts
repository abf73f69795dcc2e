import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { IndexDescriptor, IndexValue, SessionDescriptor } from '../../core/descriptor.js';
import { SessionStoreError } from '../../core/errors.js';
import type { ListIdsOptions, SessionRecord, SessionStore, SessionWrite, StoreExpiryListener, WriteOutcome } from '../../core/store.js';
import { detectDialect, dialectFor, dialectsOfClient, knexClientName, type SqlDialect, type SqlDialectName, type SqlExecutor } from './dialects/index.js';
import { KnexRawExecutor, PgPoolExecutor, PgPreparedExecutor } from './executor.js';
import { SQL_COLUMNS as C, SQL_SAFE_NAME } from './layout.js';

export interface SqlStoreOptions {
  /** Run the expired-row cleanup on this instance every this many ms (with jitter); 0 or false turns it off. */
  cleanupIntervalMs?: number | false;
  /** Rows deleted per cleanup statement. */
  cleanupBatchSize?: number;
  /** Force a dialect (otherwise from the knex client; `mysql2` asks the server: MySQL or MariaDB). */
  dialect?: SqlDialectName;
  /** Another table than the descriptor's `sql.table` (such as a per-test table). */
  table?: string;
  /** PostgreSQL only: send named prepared statements (default true). */
  preparedStatements?: boolean;
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

/**
 * Sessions in one SQL table through knex: fixed columns, one typed column per index, and the
 * attributes as one JSON document patched per attribute in the UPDATE itself, so concurrent saves
 * of different attributes all land and every save is one statement. A create is an upsert on
 * `session_id`, so two concurrent first saves merge instead of raising a duplicate-key error.
 */
export class SqlSessionStore implements SessionStore {
  readonly knex: Knex;
  readonly table: string;
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

  constructor(
    private readonly descriptor: SessionDescriptor,
    knex: Knex,
    options: SqlStoreOptions = {},
  ) {
    this.knex = knex;
    this.table = options.table ?? descriptor.sql.table;
    if (!SQL_SAFE_NAME.test(this.table)) throw new Error(`sql store: unsafe table name '${this.table}'`);
    this.client = knexClientName(knex);
    this.dialectNow = dialectFor(knex, options.dialect);
    this.prepared = options.preparedStatements ?? true;
    this.pgPool = options.pgPool ?? 'own';
    this.poolSize = options.poolSize;
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
    const sql = await this.statement('load', (q, t) => `SELECT ${SELECTED.map(q).join(', ')} FROM ${t} WHERE ${q(C.sessionId)} = ?`);
    const result = await this.run('load', sql, [id]);
    const row = result.rows[0];
    return row ? this.toRecord(row) : null;
  }

  async write(write: SessionWrite): Promise<WriteOutcome> {
    if (this.ready) await this.settle('write');
    return write.isNew ? this.insert(write) : this.update(write);
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
      let ids: string[];
      try {
        ids = await this.dialectNow.deleteExpired(this.executor, table, now, this.batch);
      } catch (err) {
        throw new SessionStoreError(this.kind, 'cleanup', err);
      }
      total += ids.length;
      for (const id of ids) for (const listener of this.expiryListeners) listener(id);
      if (ids.length < this.batch) return total;
    }
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
    const sql = await this.statement(key, (q, t) => {
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

  private async update(write: SessionWrite): Promise<WriteOutcome> {
    const d = this.dialectNow;
    const changed = this.descriptor.indexes.filter((index) => write.changedIndexes.includes(index.name));
    const set = Object.entries(write.set).map(([name, value]): [string, string] => [name, JSON.stringify(value)]);
    const patching = set.length > 0 || write.removed.length > 0;
    const patch = patching ? d.patchAttributes(d.quote(C.attributes), write.removed, set) : undefined;
    const key = `update:${changed.map((index) => index.column).join(',')}:${patch ? `${write.removed.length}:${set.length}` : '-'}`;
    const sql = await this.statement(key, (q, t) => {
      const sets = UPDATED.map((column) => `${q(column)} = ?`);
      for (const index of changed) sets.push(`${q(index.column)} = ?`);
      if (patch) sets.push(`${q(C.attributes)} = ${patch.sql}`);
      return `UPDATE ${t} SET ${sets.join(', ')} WHERE ${q(C.sessionId)} = ? AND (${q(C.expiryTime)} IS NULL OR ${q(C.expiryTime)} > ?)`;
    });
    const bindings: unknown[] = [write.id, write.lastAccessedTime, write.maxInactiveInterval, write.expiresAt];
    for (const index of changed) bindings.push(this.indexBinding(write, index));
    if (patch) bindings.push(...patch.bindings);
    bindings.push(write.previousId ?? write.id, write.now);
    return (await this.run('update', sql, bindings)).affected > 0 ? 'written' : 'gone';
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

  /** A statement's SQL text, built once per shape. */
  private async statement(key: string, build: (q: (id: string) => string, table: string) => string): Promise<string> {
    if (this.ready) await this.settle(key);
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
