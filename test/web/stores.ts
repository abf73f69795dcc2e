/**
 * Real stores for the web tests: SQLite (in-memory, through knex) and the machine's Redis, each
 * behind an {@link InstrumentedStore} that records calls, flags any id the id generator would
 * reject, and can be slowed down or taken down.
 */
import { randomBytes } from 'node:crypto';
import knexFactory from 'knex';
import {
  applySqlSchema,
  createRedisSessionClient,
  RedisSessionStore,
  SqlSessionStore,
  uuidSessionIdGenerator,
  type IndexDescriptor,
  type IndexValue,
  type RepositoryOptions,
  type SessionRecord,
  type SessionStore,
  type SessionWrite,
  type StoreExpiryListener,
  type WriteOutcome,
} from 'sessiongen/runtime';
import { AppSessionRepository, appSessionDescriptor, appSessionSqlSchema } from '../../generated/index.js';

export type StoreKind = 'sqlite' | 'redis';
export const STORE_KINDS: StoreKind[] = ['sqlite', 'redis'];
/** A database of its own (db 7): the machine's db 0 holds millions of other suites' keys, which SCAN would crawl. */
export const REDIS_URL = process.env.WEB_REDIS_URL ?? 'redis://127.0.0.1:6379/7';

export interface StoreCall {
  op: 'load' | 'write' | 'delete' | 'findByIndex';
  id?: string;
}

/** Wraps a real store: records calls, checks every id, can delay writes or fail. */
export class InstrumentedStore implements SessionStore {
  readonly calls: StoreCall[] = [];
  readonly invalidIds: string[] = [];
  /** Writes that completed, with the time they landed. */
  readonly landed: Array<{ id: string; at: number }> = [];
  writeDelayMs = 0;
  down = false;

  constructor(readonly inner: SessionStore & { notifications?: string }) {}

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

  onExpired(listener: StoreExpiryListener): void {
    this.inner.onExpired?.(listener);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

export interface OpenedRealStore {
  kind: StoreKind;
  /** The raw store (SqlSessionStore or RedisSessionStore). */
  raw: SessionStore;
  close(): Promise<void>;
}

/** A fresh SQLite database or a Redis key prefix of its own. */
export async function openRealStore(kind: StoreKind): Promise<OpenedRealStore> {
  if (kind === 'sqlite') {
    const knex = knexFactory({ client: 'better-sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true, pool: { min: 1, max: 1 } });
    await applySqlSchema(knex, appSessionSqlSchema.sqlite!);
    const raw = new SqlSessionStore(appSessionDescriptor, knex, { cleanupIntervalMs: false });
    return {
      kind,
      raw,
      close: async () => {
        await raw.close();
        await knex.destroy();
      },
    };
  }
  const prefix = `${appSessionDescriptor.redis.keyPrefix}:web${randomBytes(6).toString('hex')}`;
  const client = createRedisSessionClient({ url: REDIS_URL });
  let raw: RedisSessionStore;
  try {
    raw = await RedisSessionStore.open(appSessionDescriptor, client, { keyPrefix: prefix });
  } catch (err) {
    client.disconnect();
    throw new Error(`the web tests need Redis at ${REDIS_URL} (start redis-server, or set WEB_REDIS_URL): ${(err as Error).message}`);
  }
  return {
    kind,
    raw,
    close: async () => {
      let cursor = '0';
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await client.del(...keys);
      } while (cursor !== '0');
      await raw.close();
      await client.quit();
    },
  };
}

/** An instrumented AppSessionRepository over a real store. */
export async function openRepository(kind: StoreKind, options: RepositoryOptions = {}) {
  const opened = await openRealStore(kind);
  const store = new InstrumentedStore(opened.raw);
  const repository = new AppSessionRepository(store, options);
  return { repository, store, raw: opened.raw, close: opened.close };
}

export type OpenedRepository = Awaited<ReturnType<typeof openRepository>>;
