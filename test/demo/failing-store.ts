/** A real store that fails on demand: as a store does when its server is down, or with a bug of its own. */
import {
  SessionStoreError,
  type IndexDescriptor,
  type IndexValue,
  type ListIdsOptions,
  type SessionRecord,
  type SessionStore,
  type SessionWrite,
  type WriteOutcome,
} from '@sessiongen/runtime';

type Operation = 'load' | 'write' | 'delete' | 'findByIndex' | 'listIds';

export class FailingStore implements SessionStore {
  /** `unavailable`: a SessionStoreError, as from a lost server; `bug`: a plain Error; null: work. */
  failing: 'unavailable' | 'bug' | null = null;
  /** Fail only these operations (all when null). */
  only: Operation[] | null = null;

  constructor(private readonly inner: SessionStore) {}

  get kind(): string {
    return this.inner.kind;
  }

  private check(operation: Operation): void {
    if (this.failing === null || (this.only && !this.only.includes(operation))) return;
    if (this.failing === 'bug') throw new Error('boom');
    throw new SessionStoreError(this.kind, operation, new Error('connection refused'));
  }

  async load(id: string): Promise<SessionRecord | null> {
    this.check('load');
    return this.inner.load(id);
  }

  async write(write: SessionWrite): Promise<WriteOutcome> {
    this.check('write');
    return this.inner.write(write);
  }

  async delete(id: string): Promise<boolean> {
    this.check('delete');
    return this.inner.delete(id);
  }

  async findByIndex(index: IndexDescriptor, value: IndexValue): Promise<SessionRecord[]> {
    this.check('findByIndex');
    return this.inner.findByIndex(index, value);
  }

  async *listIds(options: ListIdsOptions): AsyncIterable<string> {
    this.check('listIds');
    yield* this.inner.listIds(options);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
