/** A store wrapper for the web tests: records every call and every id a store would receive. */
import {
  uuidSessionIdGenerator,
  type IndexDescriptor,
  type IndexValue,
  type ListIdsOptions,
  type SessionRecord,
  type SessionStore,
  type SessionWrite,
  type StoreExpiryListener,
  type WriteOutcome,
} from '@sessiongen/runtime';

export interface StoreCall {
  op: 'load' | 'isMoved' | 'write' | 'delete' | 'findByIndex' | 'listIds';
  id?: string;
}

/** Wraps a real store: records calls, checks every id, can delay writes or fail. */
export class InstrumentedStore<S extends SessionStore & { notifications?: string } = SessionStore & { notifications?: string }> implements SessionStore {
  readonly calls: StoreCall[] = [];
  readonly invalidIds: string[] = [];
  /** Writes that completed, with the time they landed. */
  readonly landed: Array<{ id: string; at: number }> = [];
  writeDelayMs = 0;
  down = false;

  constructor(readonly inner: S) {}

  get kind(): string {
    return this.inner.kind;
  }

  get notifications(): string | undefined {
    return this.inner.notifications;
  }

  private check(id: string | undefined): void {
    if (id !== undefined && !uuidSessionIdGenerator.isValid(id)) this.invalidIds.push(id);
  }

  private failIfDown(op: string): void {
    if (this.down) throw new Error(`connection refused (${op})`);
  }

  async load(id: string): Promise<SessionRecord | null> {
    this.calls.push({ op: 'load', id });
    this.check(id);
    this.failIfDown('load');
    return this.inner.load(id);
  }

  async write(write: SessionWrite): Promise<WriteOutcome> {
    this.calls.push({ op: 'write', id: write.id });
    this.check(write.id);
    this.check(write.previousId);
    this.failIfDown('write');
    if (this.writeDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.writeDelayMs));
    const outcome = await this.inner.write(write);
    this.landed.push({ id: write.id, at: Date.now() });
    return outcome;
  }

  async isMoved(id: string, now: number): Promise<boolean> {
    this.calls.push({ op: 'isMoved', id });
    this.check(id);
    this.failIfDown('isMoved');
    return (await this.inner.isMoved?.(id, now)) ?? false;
  }

  async delete(id: string): Promise<boolean> {
    this.calls.push({ op: 'delete', id });
    this.check(id);
    this.failIfDown('delete');
    return this.inner.delete(id);
  }

  async findByIndex(index: IndexDescriptor, value: IndexValue): Promise<SessionRecord[]> {
    this.calls.push({ op: 'findByIndex' });
    this.failIfDown('findByIndex');
    return this.inner.findByIndex(index, value);
  }

  async *listIds(options: ListIdsOptions): AsyncIterable<string> {
    this.calls.push({ op: 'listIds' });
    this.failIfDown('listIds');
    yield* this.inner.listIds(options);
  }

  onExpired(listener: StoreExpiryListener): void {
    this.inner.onExpired?.(listener);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
