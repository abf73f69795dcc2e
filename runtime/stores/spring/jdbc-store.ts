import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { IndexDescriptor, IndexValue, SessionDescriptor } from '../../core/descriptor.js';
import { SessionStoreError } from '../../core/errors.js';
import { DEFAULT_ID_FORWARDING_MS, type ListIdsOptions, type SessionRecord, type SessionStore, type SessionWrite, type StoreExpiryListener, type WriteOutcome } from '../../core/store.js';
import { detectDialect, knexClientName, type SqlDialectName, type SqlResult } from '../sql/dialects/index.js';
import { KnexRawExecutor } from '../sql/executor.js';
import { SpringAttributeNames } from './attributes.js';
import { column, type SpringExpiredRow, type SpringJdbcStatements } from './jdbc-dialect.js';
import { SPRING_JDBC_STATEMENTS } from './jdbc-dialects.js';
import {
  SPRING_ATTRIBUTE_COLUMNS as A,
  SPRING_MOVED_IDS_COLUMNS as M,
  SPRING_PRINCIPAL_NAME_LENGTH,
  SPRING_SAFE_TABLE,
  SPRING_SESSION_COLUMNS as S,
  springJdbcNames,
  type SpringJdbcNames,
} from './jdbc-layout.js';
import { springNamesOf } from './spring-names.js';
import { decodeSpringValue, encodeSpringValue } from './values.js';

export interface SpringJdbcStoreOptions {
  /** Overrides the schema's Spring table (`descriptor.spring.table`), e.g. per test run; attributes live in `<table>_ATTRIBUTES`. */
  table?: string;
  /** Force a dialect (otherwise from the knex client; `mysql2` asks the server: MySQL or MariaDB). */
  dialect?: SqlDialectName;
  /** Delete expired rows on this instance every this many ms (with jitter), emitting expired events; 0 or false: off. Default 60 000. */
  cleanupIntervalMs?: number | false;
  /** Rows deleted per cleanup statement. Default 500. */
  cleanupBatchSize?: number;
}

/** What the Spring JDBC store can do in Spring's layout (see the README). */
export interface SpringJdbcCapabilities {
  readonly principalIndex: boolean;
  /** Other indexes are found by their attribute rows' JSON bytes (an unindexed lookup: Spring's tables index only the principal). */
  readonly secondaryIndexes: true;
  readonly cluster: true;
}

type Run = (sql: string, bindings: readonly unknown[]) => Promise<SqlResult>;

const SESSION_SELECT = `S.${S.primaryId}, S.${S.sessionId}, S.${S.creationTime}, S.${S.lastAccessTime}, S.${S.maxInactiveInterval}, SA.${A.attributeName}, SA.${A.attributeBytes}`;

/**
 * Sessions in Spring Session's JDBC layout (`SPRING_SESSION` and `SPRING_SESSION_ATTRIBUTES`),
 * shared with a Java app that runs `JdbcIndexedSessionRepository` with the JSON conversion service
 * `generated/spring/LAYOUT.md` shows: one row per session, one row per attribute holding its UTF-8
 * JSON. A save is one transaction that updates the session row (only while it is live, so a save
 * never resurrects a deleted or expired session) and inserts, replaces or deletes only the
 * attribute rows it changed, so concurrent saves of different attributes, from either side, all land.
 *
 * An id change updates `SESSION_ID` in place (as Spring does) and records, in the same transaction,
 * the marker old id → `PRIMARY_ID` in `<table>_MOVED_IDS`, sessiongen's own table: an update that
 * finds no live row under its id follows the marker to the session's row.
 */
export class SpringJdbcSessionStore implements SessionStore {
  readonly compat = 'spring' as const;
  readonly knex: Knex;
  readonly names: SpringJdbcNames;
  readonly capabilities: SpringJdbcCapabilities;
  private statementsNow: SpringJdbcStatements | undefined;
  private readonly ready: Promise<SpringJdbcStatements>;
  private readonly executor: KnexRawExecutor;
  private readonly attributeNames: SpringAttributeNames;
  private readonly principalIndex: IndexDescriptor | undefined;
  private readonly expiryListeners: StoreExpiryListener[] = [];
  private readonly batch: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly descriptor: SessionDescriptor,
    knex: Knex,
    options: SpringJdbcStoreOptions = {},
  ) {
    const spring = springNamesOf(descriptor, 'SpringJdbcSessionStore');
    const table = options.table ?? spring.table;
    if (!SPRING_SAFE_TABLE.test(table)) throw new RangeError(`spring jdbc store: unsafe table name '${table}'`);
    this.knex = knex;
    this.names = springJdbcNames(table);
    const client = knexClientName(knex);
    this.executor = new KnexRawExecutor(knex, client, client === 'better-sqlite3' || client === 'sqlite3' ? undefined : 'read committed');
    this.ready = detectDialect(knex, options.dialect).then((dialect) => {
      this.statementsNow = SPRING_JDBC_STATEMENTS[dialect.name];
      return this.statementsNow;
    });
    this.ready.catch(() => undefined);
    this.attributeNames = new SpringAttributeNames(descriptor);
    this.principalIndex = descriptor.indexes.find((index) => index.name === descriptor.principalIndex);
    if (this.principalIndex?.maxLength !== undefined && this.principalIndex.maxLength > SPRING_PRINCIPAL_NAME_LENGTH) {
      throw new RangeError(`spring jdbc store: the principal '${this.principalIndex.name}' may be ${this.principalIndex.maxLength} characters long; Spring's PRINCIPAL_NAME holds ${SPRING_PRINCIPAL_NAME_LENGTH}`);
    }
    this.capabilities = { principalIndex: this.principalIndex !== undefined, secondaryIndexes: true, cluster: true };
    this.batch = options.cleanupBatchSize ?? 500;
    const every = options.cleanupIntervalMs ?? 60_000;
    if (every) this.scheduleCleanup(every);
  }

  /** `spring-postgres`, `spring-mariadb`, `spring-mysql` or `spring-sqlite` (for `mysql2`, known after the first call). */
  get kind(): string {
    return `spring-${this.statementsNow?.name ?? knexClientName(this.knex)}`;
  }

  async load(id: string): Promise<SessionRecord | null> {
    const result = await this.query(
      'load',
      `SELECT ${SESSION_SELECT} FROM ${this.names.table} S LEFT JOIN ${this.names.attributesTable} SA ON S.${S.primaryId} = SA.${A.sessionPrimaryId} WHERE S.${S.sessionId} = ?`,
      [id],
    );
    return this.toRecords(result.rows)[0] ?? null;
  }

  async write(write: SessionWrite): Promise<WriteOutcome> {
    const statements = await this.statements('save');
    const principal = this.principalIndex ? write.indexes[this.principalIndex.name] : null;
    const principalChanged = this.principalIndex !== undefined && write.changedIndexes.includes(this.principalIndex.name);
    // The expiry the repository computed: the idle one, or an absolute timeout's when that comes first.
    const expiry = write.expiresAt === null ? statements.neverExpires : write.expiresAt;
    const set = Object.entries(write.set).map(([name, value]): [string, Buffer] => [this.attributeNames.stored(name), encodeSpringValue(value)]);
    const removed = write.removed.map((name) => this.attributeNames.stored(name));
    const n = this.names;
    try {
      return await this.executor.transaction(async (run) => {
        let primaryId: string | undefined;
        if (write.isNew) {
          const fresh = randomUUID();
          const inserted = await run(statements.insertSession(n), [
            fresh,
            write.id,
            write.creationTime,
            write.lastAccessedTime,
            write.maxInactiveInterval,
            expiry,
            typeof principal === 'string' ? principal : null,
          ]);
          primaryId = statements.insertReturnsPrimaryId
            ? String(column(inserted.rows[0]!, S.primaryId))
            : String(column((await run(`SELECT ${S.primaryId} FROM ${n.table} WHERE ${S.sessionId} = ?`, [write.id])).rows[0]!, S.primaryId));
        } else {
          const sets = [`${S.lastAccessTime} = ?`, `${S.maxInactiveInterval} = ?`, `${S.expiryTime} = ?`];
          const values: unknown[] = [write.lastAccessedTime, write.maxInactiveInterval, expiry];
          if (principalChanged) {
            sets.push(`${S.principalName} = ?`);
            values.push(typeof principal === 'string' ? principal : null);
          }
          const source = write.previousId ?? write.id;
          primaryId = await this.updateRow(run, statements, `${S.sessionId} = ?`, source, write.previousId === undefined ? sets : [`${S.sessionId} = ?`, ...sets], write.previousId === undefined ? values : [write.id, ...values], write.now);
          if (primaryId === undefined) {
            // No live row under the id: a write that changes the id lost to another change (`moved`)
            // or names nothing (`gone`); an update follows the id's marker to the session's row.
            const movedTo = await this.movedPrimaryId(run, source, write.now);
            if (write.previousId !== undefined || movedTo === undefined) return write.previousId !== undefined && movedTo !== undefined ? 'moved' : 'gone';
            primaryId = await this.updateRow(run, statements, `${S.primaryId} = ?`, movedTo, sets, values, write.now);
            if (primaryId === undefined) return 'gone';
          }
          if (write.previousId !== undefined) {
            await run(`INSERT INTO ${n.movedTable} (${M.oldSessionId}, ${M.sessionPrimaryId}, ${M.expiryTime}) VALUES (?, ?, ?)`, [
              write.previousId,
              primaryId,
              write.now + (write.forwardingMs ?? DEFAULT_ID_FORWARDING_MS),
            ]);
          }
          if (removed.length > 0) {
            await run(`DELETE FROM ${n.attributesTable} WHERE ${A.sessionPrimaryId} = ? AND ${A.attributeName} IN (${removed.map(() => '?').join(', ')})`, [primaryId, ...removed]);
          }
        }
        if (set.length > 0) await run(statements.upsertAttributes(n, set.length), set.flatMap(([name, bytes]) => [primaryId, name, bytes]));
        return 'written';
      });
    } catch (err) {
      throw new SessionStoreError(this.kind, 'save', err);
    }
  }

  /** Whether the id was changed, within its marker's lifetime, and its session lives on (under whatever id it has now). */
  async isMoved(id: string, now: number = Date.now()): Promise<boolean> {
    const result = await this.query(
      'isMoved',
      `SELECT M.${M.sessionPrimaryId} FROM ${this.names.movedTable} M JOIN ${this.names.table} S ON S.${S.primaryId} = M.${M.sessionPrimaryId} ` +
        `WHERE M.${M.oldSessionId} = ? AND M.${M.expiryTime} > ? AND S.${S.expiryTime} > ?`,
      [id, now, now],
    );
    return result.rows.length > 0;
  }

  /** Deletes the session row (its attribute rows go with it), whatever its timeout: unlike Spring's, never-expiring sessions too. */
  async delete(id: string): Promise<boolean> {
    const n = this.names;
    const result = await this.transaction('delete', async (run) => {
      await run(`DELETE FROM ${n.attributesTable} WHERE ${A.sessionPrimaryId} IN (SELECT ${S.primaryId} FROM ${n.table} WHERE ${S.sessionId} = ?)`, [id]);
      return run(`DELETE FROM ${n.table} WHERE ${S.sessionId} = ?`, [id]);
    });
    return result.affected > 0;
  }

  /**
   * The principal's sessions by `PRINCIPAL_NAME` (Spring's index); any other index by the JSON
   * bytes of its attribute rows, which match whichever side wrote them.
   */
  async findByIndex(index: IndexDescriptor, value: IndexValue): Promise<SessionRecord[]> {
    const n = this.names;
    const from = `FROM ${n.table} S LEFT JOIN ${n.attributesTable} SA ON S.${S.primaryId} = SA.${A.sessionPrimaryId}`;
    const live = `S.${S.expiryTime} > ?`;
    const result =
      index.name === this.principalIndex?.name
        ? await this.query('findByIndex', `SELECT ${SESSION_SELECT} ${from} WHERE S.${S.principalName} = ? AND ${live}`, [value, Date.now()])
        : await this.query(
            'findByIndex',
            `SELECT ${SESSION_SELECT} ${from} WHERE S.${S.primaryId} IN (SELECT ${A.sessionPrimaryId} FROM ${n.attributesTable} WHERE ${A.attributeName} = ? AND ${A.attributeBytes} = ?) AND ${live}`,
            [this.attributeNames.stored(index.attribute), encodeSpringValue(value), Date.now()],
          );
    return this.toRecords(result.rows);
  }

  /** The ids of the rows live at `now`, in `SESSION_ID` order, one keyset page per query. */
  async *listIds(options: ListIdsOptions): AsyncIterable<string> {
    const pageSize = Math.max(1, Math.floor(options.pageSize ?? 500));
    let after = '';
    for (;;) {
      const sql = `SELECT ${S.sessionId} FROM ${this.names.table} WHERE ${S.sessionId} > ? AND ${S.expiryTime} > ? ORDER BY ${S.sessionId} LIMIT ?`;
      const rows = (await this.query('listIds', sql, [after, options.now, pageSize])).rows;
      for (const row of rows) yield String(column(row, S.sessionId)).trimEnd();
      if (rows.length < pageSize) return;
      after = String(column(rows[rows.length - 1]!, S.sessionId));
    }
  }

  onExpired(listener: StoreExpiryListener): void {
    this.expiryListeners.push(listener);
  }

  /** Deletes expired rows in batches (Spring's cleanup does the same, without events) and emits their expired events; returns how many. */
  async cleanupExpired(now: number = Date.now()): Promise<number> {
    const statements = await this.statements('cleanup');
    let total = 0;
    for (;;) {
      let rows: SpringExpiredRow[];
      try {
        rows = await statements.deleteExpired(this.executor, this.names, now, this.batch);
      } catch (err) {
        throw new SessionStoreError(this.kind, 'cleanup', err);
      }
      total += rows.length;
      for (const row of rows) {
        const expired = { lastAccessedTime: Number(row.lastAccessTime), maxInactiveInterval: Number(row.maxInactiveInterval), expiresAt: Number(row.expiryTime) };
        for (const listener of this.expiryListeners) listener(row.sessionId.trimEnd(), expired);
      }
      if (rows.length < this.batch) break;
    }
    await this.query('cleanup', `DELETE FROM ${this.names.movedTable} WHERE ${M.expiryTime} <= ?`, [now]);
    return total;
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * Sets `sets` on the live row `where` names (`SESSION_ID = ?` or `PRIMARY_ID = ?`) and returns its
   * primary id, or undefined when no live row matches.
   */
  private async updateRow(
    run: Run,
    statements: SpringJdbcStatements,
    where: string,
    key: string,
    sets: string[],
    values: unknown[],
    now: number,
  ): Promise<string | undefined> {
    const n = this.names;
    if (statements.updateStyle === 'returning') {
      const updated = await run(`UPDATE ${n.table} SET ${sets.join(', ')} WHERE ${where} AND ${S.expiryTime} > ? RETURNING ${S.primaryId}`, [...values, key, now]);
      return updated.rows.length === 0 ? undefined : String(column(updated.rows[0]!, S.primaryId));
    }
    const locked = await run(`SELECT ${S.primaryId} FROM ${n.table} WHERE ${where} AND ${S.expiryTime} > ? FOR UPDATE`, [key, now]);
    if (locked.rows.length === 0) return undefined;
    const primaryId = String(column(locked.rows[0]!, S.primaryId));
    await run(`UPDATE ${n.table} SET ${sets.join(', ')} WHERE ${S.primaryId} = ?`, [...values, primaryId]);
    return primaryId;
  }

  /** The primary id of the live session an id was changed from, while its marker lasts. */
  private async movedPrimaryId(run: Run, id: string, now: number): Promise<string | undefined> {
    const found = await run(
      `SELECT M.${M.sessionPrimaryId} FROM ${this.names.movedTable} M JOIN ${this.names.table} S ON S.${S.primaryId} = M.${M.sessionPrimaryId} ` +
        `WHERE M.${M.oldSessionId} = ? AND M.${M.expiryTime} > ? AND S.${S.expiryTime} > ?`,
      [id, now, now],
    );
    return found.rows.length === 0 ? undefined : String(column(found.rows[0]!, M.sessionPrimaryId));
  }

  /** Rows of the session-with-attributes join, grouped into records; refused values listed with their reasons. */
  private toRecords(rows: Array<Record<string, unknown>>): SessionRecord[] {
    const records = new Map<string, SessionRecord>();
    for (const row of rows) {
      const id = String(column(row, S.sessionId)).trimEnd();
      let record = records.get(id);
      if (!record) {
        record = {
          id,
          creationTime: Number(column(row, S.creationTime)),
          lastAccessedTime: Number(column(row, S.lastAccessTime)),
          maxInactiveInterval: Number(column(row, S.maxInactiveInterval)),
          attributes: {},
        };
        records.set(id, record);
      }
      const stored = column(row, A.attributeName);
      if (stored === null || stored === undefined) continue;
      const name = this.attributeNames.schema(String(stored));
      const raw = column(row, A.attributeBytes);
      const bytes = raw instanceof Uint8Array ? raw : Buffer.from(String(raw ?? ''), 'utf8');
      const decoded = decodeSpringValue(bytes, `attribute '${name}' of session ${id}`, 'jdbc');
      if (decoded.ok) {
        record.attributes[name] = decoded.value;
      } else {
        record.refused = { ...record.refused, [name]: decoded.reason };
        if (decoded.found !== undefined) record.attributes[name] = decoded.found;
      }
    }
    return [...records.values()];
  }

  private async statements(operation: string): Promise<SpringJdbcStatements> {
    if (this.statementsNow) return this.statementsNow;
    try {
      return await this.ready;
    } catch (err) {
      throw new SessionStoreError(this.kind, operation, err);
    }
  }

  /** One statement. */
  private async query(operation: string, sql: string, bindings: readonly unknown[]): Promise<SqlResult> {
    await this.statements(operation);
    try {
      return await this.executor.query(sql, bindings);
    } catch (err) {
      throw new SessionStoreError(this.kind, operation, err);
    }
  }

  /** An operation's statements, in one transaction. */
  private async transaction(operation: string, work: (run: (sql: string, bindings: readonly unknown[]) => Promise<SqlResult>) => Promise<SqlResult>): Promise<SqlResult> {
    await this.statements(operation);
    try {
      return await this.executor.transaction(work);
    } catch (err) {
      throw new SessionStoreError(this.kind, operation, err);
    }
  }

  private scheduleCleanup(every: number): void {
    const next = every / 2 + Math.random() * every;
    this.timer = setTimeout(() => {
      this.cleanupExpired()
        .catch((err) => console.error('sessiongen: Spring JDBC cleanup failed:', (err as Error).message))
        .finally(() => {
          if (this.timer) this.scheduleCleanup(every);
        });
    }, next);
    this.timer.unref();
  }
}
