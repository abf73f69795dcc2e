import type { IndexDescriptor, IndexValue, SessionDescriptor } from '../../core/descriptor.js';
import { isExpired } from '../../core/expiry.js';
import { DEFAULT_ID_FORWARDING_MS, type ListIdsOptions, type SessionRecord, type SessionStore, type SessionWrite, type StoreExpiryListener, type WriteOutcome } from '../../core/store.js';

/** How many id changes in a row a forwarded write follows (each login is one). */
const MAX_FORWARDS = 8;

export interface MemoryStoreOptions {
  /** How often expired sessions are swept (and expired events emitted), in ms; 0 turns sweeping off. */
  sweepIntervalMs?: number;
  clock?: () => number;
}

/**
 * Sessions in this process's memory: for tests and single-process apps. Records are copied in and
 * out, so callers never share objects with the store.
 */
export class MemorySessionStore implements SessionStore {
  readonly kind = 'memory';
  private readonly sessions = new Map<string, SessionRecord>();
  /** Move markers: old id → new id and when forwarding ends (epoch ms). */
  private readonly moves = new Map<string, { to: string; until: number }>();
  /** index name → value → ids */
  private readonly indexes = new Map<string, Map<IndexValue, Set<string>>>();
  private readonly expiryListeners: StoreExpiryListener[] = [];
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly clock: () => number;

  constructor(
    private readonly descriptor: SessionDescriptor,
    options: MemoryStoreOptions = {},
  ) {
    this.clock = options.clock ?? Date.now;
    for (const index of descriptor.indexes) this.indexes.set(index.name, new Map());
    const every = options.sweepIntervalMs ?? 60_000;
    if (every > 0) {
      this.timer = setInterval(() => this.sweep(), every);
      this.timer.unref();
    }
  }

  async load(id: string): Promise<SessionRecord | null> {
    const record = this.sessions.get(id);
    return record ? structuredClone(record) : null;
  }

  async write(write: SessionWrite): Promise<WriteOutcome> {
    let record: SessionRecord | undefined;
    if (write.isNew) {
      record = { id: write.id, creationTime: write.creationTime, lastAccessedTime: 0, maxInactiveInterval: 0, attributes: {} };
    } else {
      const from = write.previousId ?? write.id;
      record = this.sessions.get(from);
      if (!record && write.previousId === undefined) record = this.forwarded(from, write.now);
      if (!record) return write.previousId !== undefined && this.movedTarget(from, write.now) ? 'moved' : 'gone';
      if (isExpired(record.lastAccessedTime, record.maxInactiveInterval, write.now)) return 'gone';
      this.unindex(record);
      if (write.previousId) {
        this.sessions.delete(from);
        record.id = write.id;
        this.moves.set(from, { to: write.id, until: write.now + (write.forwardingMs ?? DEFAULT_ID_FORWARDING_MS) });
      }
    }
    record.lastAccessedTime = write.lastAccessedTime;
    record.maxInactiveInterval = write.maxInactiveInterval;
    for (const name of write.removed) delete record.attributes[name];
    for (const [name, value] of Object.entries(write.set)) record.attributes[name] = structuredClone(value);
    this.sessions.set(record.id, record);
    this.index(record);
    return 'written';
  }

  async isMoved(id: string, now: number = this.clock()): Promise<boolean> {
    return !this.sessions.has(id) && this.movedTarget(id, now) !== undefined;
  }

  /** The live session an old id's markers lead to, if any. */
  private movedTarget(id: string, now: number): SessionRecord | undefined {
    const record = this.forwarded(id, now);
    return record && !isExpired(record.lastAccessedTime, record.maxInactiveInterval, now) ? record : undefined;
  }

  /** Follows the markers from an id no session has to the session that now holds it. */
  private forwarded(id: string, now: number): SessionRecord | undefined {
    let at = id;
    for (let hop = 0; hop < MAX_FORWARDS; hop++) {
      const move = this.moves.get(at);
      if (!move) return undefined;
      if (move.until <= now) {
        this.moves.delete(at);
        return undefined;
      }
      const record = this.sessions.get(move.to);
      if (record) return record;
      at = move.to;
    }
    return undefined;
  }

  async delete(id: string): Promise<boolean> {
    const record = this.sessions.get(id);
    if (!record) return false;
    this.unindex(record);
    this.sessions.delete(id);
    return true;
  }

  async findByIndex(index: IndexDescriptor, value: IndexValue): Promise<SessionRecord[]> {
    const ids = this.indexes.get(index.name)?.get(value);
    if (!ids) return [];
    return [...ids].map((id) => structuredClone(this.sessions.get(id)!));
  }

  /** The ids of the sessions not expired at `now`, read lazily from the live map. */
  async *listIds(options: ListIdsOptions): AsyncIterable<string> {
    for (const record of this.sessions.values()) {
      if (!isExpired(record.lastAccessedTime, record.maxInactiveInterval, options.now)) yield record.id;
    }
  }

  onExpired(listener: StoreExpiryListener): void {
    this.expiryListeners.push(listener);
  }

  /** Removes expired sessions now and emits their expired events; returns how many. */
  sweep(): number {
    const now = this.clock();
    for (const [id, move] of this.moves) if (move.until <= now) this.moves.delete(id);
    let removed = 0;
    for (const record of [...this.sessions.values()]) {
      if (!isExpired(record.lastAccessedTime, record.maxInactiveInterval, now)) continue;
      this.unindex(record);
      this.sessions.delete(record.id);
      removed++;
      for (const listener of this.expiryListeners) listener(record.id);
    }
    return removed;
  }

  get size(): number {
    return this.sessions.size;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
  }

  private index(record: SessionRecord): void {
    for (const index of this.descriptor.indexes) {
      const value = record.attributes[index.attribute] as IndexValue | undefined | null;
      if (value === undefined || value === null) continue;
      const byValue = this.indexes.get(index.name)!;
      let ids = byValue.get(value);
      if (!ids) byValue.set(value, (ids = new Set()));
      ids.add(record.id);
    }
  }

  private unindex(record: SessionRecord): void {
    for (const index of this.descriptor.indexes) {
      const value = record.attributes[index.attribute] as IndexValue | undefined | null;
      if (value === undefined || value === null) continue;
      const byValue = this.indexes.get(index.name)!;
      const ids = byValue.get(value);
      ids?.delete(record.id);
      if (ids && ids.size === 0) byValue.delete(value);
    }
  }
}
