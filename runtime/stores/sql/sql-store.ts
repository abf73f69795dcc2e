import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { IndexDescriptor, IndexValue, SessionDescriptor } from '../../core/descriptor.js';
import { SessionStoreError } from '../../core/errors.js';
import type { SessionRecord, SessionStore, SessionWrite, StoreExpiryListener, WriteOutcome } from '../../core/store.js';
import { dialectFor, type SqlDialect } from './dialects/index.js';

export interface SqlStoreOptions {
  /** Run the expired-row cleanup on this instance every this many ms (with jitter); 0 or false turns it off. */
  cleanupIntervalMs?: number | false;
  /** Rows deleted per cleanup statement. */
  cleanupBatchSize?: number;
}

const COLUMNS = ['session_id', 'creation_time', 'last_access_time', 'max_inactive_interval', 'attributes'];

/**
 * Sessions in one SQL table through knex: fixed columns, one typed column per index, and the
 * attributes as a JSON document patched per attribute, so concurrent saves of different
 * attributes all land.
 */
export class SqlSessionStore implements SessionStore {
  readonly kind: string;
  readonly dialect: SqlDialect;
  private readonly table: string;
  private readonly selectList: string;
  private readonly expiryListeners: StoreExpiryListener[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly batch: number;

  constructor(
    private readonly descriptor: SessionDescriptor,
    readonly knex: Knex,
    options: SqlStoreOptions = {},
  ) {
    this.dialect = dialectFor(knex);
    this.kind = this.dialect.name;
    const q = this.dialect.quote;
    this.table = q(descriptor.sql.table);
    this.selectList = COLUMNS.map(q).join(', ');
    this.batch = options.cleanupBatchSize ?? 500;
    const every = options.cleanupIntervalMs ?? 60_000;
    if (every) this.scheduleCleanup(every);
  }

  async load(id: string): Promise<SessionRecord | null> {
    const rows = await this.run('load', `SELECT ${this.selectList} FROM ${this.table} WHERE "session_id" = ?`, [id]);
    const row = this.dialect.rows(rows)[0];
    return row ? this.toRecord(row) : null;
  }

  async write(write: SessionWrite): Promise<WriteOutcome> {
    return write.isNew ? this.insert(write) : this.update(write);
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.run('delete', `DELETE FROM ${this.table} WHERE "session_id" = ?`, [id]);
    return this.dialect.affected(result) > 0;
  }

  async findByIndex(index: IndexDescriptor, value: IndexValue): Promise<SessionRecord[]> {
    const column = this.dialect.quote(index.column);
    const result = await this.run(
      'findByIndex',
      `SELECT ${this.selectList} FROM ${this.table} WHERE ${column} = ? AND ("expiry_time" IS NULL OR "expiry_time" > ?)`,
      [this.dialect.bindIndex(value, index.type), Date.now()],
    );
    return this.dialect.rows(result).map((row) => this.toRecord(row));
  }

  onExpired(listener: StoreExpiryListener): void {
    this.expiryListeners.push(listener);
  }

  /**
   * Deletes expired rows in batches and emits their expired events; returns how many. Safe to run
   * on several instances at once: each batch claims distinct rows.
   */
  async cleanupExpired(now: number = Date.now()): Promise<number> {
    let total = 0;
    for (;;) {
      const { sql, bindings } = this.dialect.deleteExpired(this.table, now, this.batch);
      const ids = this.dialect.rows(await this.run('cleanup', sql, bindings)).map((row) => String(row.session_id));
      total += ids.length;
      for (const id of ids) for (const listener of this.expiryListeners) listener(id);
      if (ids.length < this.batch) return total;
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async insert(write: SessionWrite): Promise<WriteOutcome> {
    const q = this.dialect.quote;
    const columns = ['primary_id', 'session_id', 'creation_time', 'last_access_time', 'max_inactive_interval', 'expiry_time'];
    const values: unknown[] = [randomUUID(), write.id, write.creationTime, write.lastAccessedTime, write.maxInactiveInterval, write.expiresAt];
    for (const index of this.descriptor.indexes) {
      const value = write.indexes[index.name];
      columns.push(index.column);
      values.push(value === null || value === undefined ? null : this.dialect.bindIndex(value, index.type));
    }
    columns.push('attributes');
    values.push(JSON.stringify(write.set));
    await this.run(
      'insert',
      `INSERT INTO ${this.table} (${columns.map(q).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
      values,
    );
    return 'written';
  }

  private async update(write: SessionWrite): Promise<WriteOutcome> {
    const q = this.dialect.quote;
    const sets = ['"session_id" = ?', '"last_access_time" = ?', '"max_inactive_interval" = ?', '"expiry_time" = ?'];
    const bindings: unknown[] = [write.id, write.lastAccessedTime, write.maxInactiveInterval, write.expiresAt];
    for (const name of write.changedIndexes) {
      const index = this.descriptor.indexes.find((candidate) => candidate.name === name)!;
      const value = write.indexes[name];
      sets.push(`${q(index.column)} = ?`);
      bindings.push(value === null || value === undefined ? null : this.dialect.bindIndex(value, index.type));
    }
    const set = Object.entries(write.set).map(([name, value]): [string, string] => [name, JSON.stringify(value)]);
    if (set.length > 0 || write.removed.length > 0) {
      const patch = this.dialect.patchAttributes(q('attributes'), write.removed, set);
      sets.push(`${q('attributes')} = ${patch.sql}`);
      bindings.push(...patch.bindings);
    }
    bindings.push(write.previousId ?? write.id, write.now);
    const result = await this.run(
      'update',
      `UPDATE ${this.table} SET ${sets.join(', ')} WHERE "session_id" = ? AND ("expiry_time" IS NULL OR "expiry_time" > ?)`,
      bindings,
    );
    return this.dialect.affected(result) > 0 ? 'written' : 'gone';
  }

  private toRecord(row: Record<string, unknown>): SessionRecord {
    return {
      id: String(row.session_id),
      creationTime: this.dialect.readNumber(row.creation_time),
      lastAccessedTime: this.dialect.readNumber(row.last_access_time),
      maxInactiveInterval: this.dialect.readNumber(row.max_inactive_interval),
      attributes: this.dialect.readAttributes(row.attributes),
    };
  }

  private async run(operation: string, sql: string, bindings: unknown[]): Promise<unknown> {
    try {
      return await this.knex.raw(sql, bindings as Knex.RawBinding[]);
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

/** Runs DDL statements (such as the generated `sql/schema.ts` ones) in one transaction. */
export async function applySqlSchema(knex: Knex, statements: readonly string[]): Promise<void> {
  await knex.transaction(async (trx) => {
    for (const statement of statements) await trx.raw(statement);
  });
}
