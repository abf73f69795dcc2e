import type { IndexValue, SessionDescriptor } from '../core/descriptor.js';
import { SessionStoreError } from '../core/errors.js';
import type { InvalidAttributeDetail } from '../core/events.js';
import { checkMaxInactiveInterval, expiresAt, isExpired } from '../core/expiry.js';
import { uuidSessionIdGenerator } from '../core/ids.js';
import { checkSessionLimits, screenAttributes, validateAttribute } from '../core/session.js';
import type { SessionRecord, SessionStore, SessionWrite } from '../core/store.js';

/**
 * An express-session `Store` over any sessiongen store, so an express-session app switches to
 * sessiongen's SQL, Redis, Hazelcast or memory store by changing one line:
 *
 * ```ts
 * import session from 'express-session';
 * app.use(session({ secret, resave: false, saveUninitialized: false,
 *   store: createExpressSessionStore(session, repository) }));   // was: new RedisStore({ client })
 * ```
 *
 * The class extends the `Store` of the express-session module you pass, so `instanceof
 * session.Store` holds and express-session's `regenerate`/`load`/`createSession` are its own.
 * The module is passed in (the connect-store convention) rather than imported, so sessiongen has
 * no dependency on express-session and its global `req.session` typing.
 *
 * Mapping:
 * - The session's top-level properties other than `cookie` are sessiongen attributes, checked
 *   against the schema: a value the schema rejects fails the save (`InvalidAttributeError` to
 *   express-session, hence to the app's error handler), and nothing is written. So does a save
 *   that would grow the session past the schema's limits (`SessionLimitError`). A stored value
 *   the schema rejects is not loaded (an `invalid-attribute` event) and stays in the store, as
 *   does a name the schema does not know, until the app sets that property.
 * - The cookie's `originalMaxAge` is the session's `maxInactiveInterval` (rounded up to whole
 *   seconds, at most 10 years: a RangeError past that); without one, the repository's default
 *   timeout applies. A loaded session's
 *   `cookie.expires` is `lastAccessedTime + timeout`; the other cookie attributes come from the
 *   adapter's `cookie` option (give it what you give express-session), not from the store.
 * - Saves are deltas against what the same request loaded, so two requests changing different
 *   properties of one session both win (express-session with other stores loses one of them).
 *   A session deleted meanwhile (logout elsewhere) is not resurrected by a late save.
 * - `touch` writes only `lastAccessedTime` and the timeout. `all` returns an array of sessions
 *   with their `id`; `length`, `clear` and `ids` too. Every method takes a callback and returns
 *   a Promise.
 * - Ids from express-session are checked before any store sees them: by default a UUID (use
 *   `genid: () => crypto.randomUUID()`) or express-session's own 32-character base64url form.
 */

/** What the adapter needs from express-session's module (the default export). */
export interface ExpressSessionModuleLike {
  Store: new () => ExpressStoreBase;
}

/** What express-session's `Store` base class provides (an EventEmitter). */
export interface ExpressStoreBase {
  emit(event: string | symbol, ...args: any[]): boolean;
  on(event: string | symbol, listener: (...args: any[]) => void): this;
}

/** An express-session session as stores see it. */
export interface ExpressSessionData {
  cookie?: ExpressCookieData;
  [property: string]: unknown;
}

export interface ExpressCookieData {
  originalMaxAge?: number | null;
  maxAge?: number | null;
  expires?: string | Date | null | boolean;
  path?: string;
  domain?: string;
  httpOnly?: boolean;
  secure?: boolean | 'auto';
  sameSite?: boolean | 'lax' | 'strict' | 'none' | 'auto';
  [property: string]: unknown;
}

/** The repository (or just store and descriptor) the adapter writes through. */
export interface ExpressSessionStoreSource {
  readonly store: SessionStore;
  readonly descriptor: SessionDescriptor;
  readonly clock?: () => number;
  readonly defaultMaxInactiveInterval?: number;
  /** A `SessionRepository`'s events: `created` and `deleted` are emitted for saves and destroys. */
  readonly events?: { emit(type: 'created' | 'deleted' | 'invalid-attribute', sessionId: string, detail?: InvalidAttributeDetail): void };
}

export interface ExpressSessionStoreOptions {
  /** Which ids may reach the store. Default: a UUID v4, or express-session's default 32-character base64url id. */
  isValidId?: (id: string) => boolean;
  /** Cookie attributes given back on load (besides `originalMaxAge`/`expires`). Default express-session's: `{ path: '/', httpOnly: true, secure: false }`. */
  cookie?: Omit<ExpressCookieData, 'originalMaxAge' | 'maxAge' | 'expires'>;
  /** Lists the stored session ids, for `all`/`length`/`clear`/`ids`. Default: built in for the SQL and Redis stores. */
  listIds?: () => Promise<string[]>;
}

type Callback<T> = (err: any, result?: T) => void;

const UID_SAFE_24 = /^[A-Za-z0-9_-]{32}$/;
const ORIGINAL = Symbol('sessiongen.expressSession.original');
const ORIGINAL_CREATION = Symbol('sessiongen.expressSession.creationTime');

function defaultIsValidId(id: string): boolean {
  return typeof id === 'string' && (uuidSessionIdGenerator.isValid(id) || UID_SAFE_24.test(id));
}

/**
 * The store logic without the express-session base class: get/set/destroy/touch/all/length/
 * clear/ids over a sessiongen store, each with a callback and a Promise. Also fits
 * `@fastify/session`, whose store interface is express-session's `get`/`set`/`destroy`.
 */
export class SessionStoreAdapter {
  private readonly store: SessionStore;
  private readonly descriptor: SessionDescriptor;
  private readonly clock: () => number;
  private readonly defaultTimeout: number;
  private readonly events: ExpressSessionStoreSource['events'];
  private readonly isValidId: (id: string) => boolean;
  private readonly cookie: Omit<ExpressCookieData, 'originalMaxAge' | 'maxAge' | 'expires'>;
  private readonly listIdsOption: (() => Promise<string[]>) | undefined;

  constructor(source: ExpressSessionStoreSource, options: ExpressSessionStoreOptions = {}) {
    this.store = source.store;
    this.descriptor = source.descriptor;
    this.clock = source.clock ?? Date.now;
    this.defaultTimeout = checkMaxInactiveInterval(source.defaultMaxInactiveInterval ?? source.descriptor.maxInactiveInterval);
    this.events = source.events;
    this.isValidId = options.isValidId ?? defaultIsValidId;
    this.cookie = options.cookie ?? { path: '/', httpOnly: true, secure: false };
    this.listIdsOption = options.listIds;
  }

  get(sid: string, callback?: Callback<ExpressSessionData | null>): Promise<ExpressSessionData | null> {
    return settle(callback, async () => {
      if (!this.isValidId(sid)) return null;
      const record = await this.loadLive(sid);
      return record ? this.toData(record) : null;
    });
  }

  set(sid: string, session: ExpressSessionData, callback?: Callback<void>): Promise<void> {
    return settle(callback, async () => {
      this.checkId(sid);
      const now = this.clock();
      const attributes = this.attributesOf(session);
      const timeout = this.timeoutOf(session);
      const original = originalOf(session);
      let previous: Record<string, unknown> | null;
      let creationTime = now;
      if (original && original.id === sid) {
        previous = original.attributes;
        creationTime = original.creationTime;
      } else {
        const record = await this.loadLive(sid);
        previous = record ? screenAttributes(this.descriptor, record.attributes).attributes : null;
        if (record) creationTime = record.creationTime;
      }
      checkSessionLimits(this.descriptor, attributes, previous);
      const write = this.buildWrite(sid, previous, attributes, creationTime, now, timeout);
      const outcome = await this.call('save', () => this.store.write(write));
      if (outcome === 'written') {
        if (write.isNew) this.events?.emit('created', sid);
        remember(session, sid, attributes, creationTime);
      }
      // 'gone': deleted or expired since it was loaded; never resurrected.
    });
  }

  destroy(sid: string, callback?: Callback<void>): Promise<void> {
    return settle(callback, async () => {
      if (!this.isValidId(sid)) return;
      if (await this.call('delete', () => this.store.delete(sid))) this.events?.emit('deleted', sid);
    });
  }

  /** Refreshes the idle timer without rewriting any attribute. */
  touch(sid: string, session: ExpressSessionData, callback?: Callback<void>): Promise<void> {
    return settle(callback, async () => {
      this.checkId(sid);
      const now = this.clock();
      const attributes = this.attributesOf(session, false);
      const timeout = this.timeoutOf(session);
      const original = originalOf(session);
      const write: SessionWrite = {
        id: sid,
        isNew: false,
        creationTime: original?.creationTime ?? now,
        lastAccessedTime: now,
        maxInactiveInterval: timeout,
        expiresAt: expiresAt(now, timeout),
        set: {},
        removed: [],
        indexes: this.indexesOf(attributes),
        changedIndexes: [],
        now,
      };
      await this.call('touch', () => this.store.write(write));
    });
  }

  /** Every live session, as an array of session objects with their `id`. */
  all(callback?: Callback<Array<ExpressSessionData & { id: string }>>): Promise<Array<ExpressSessionData & { id: string }>> {
    return settle(callback, async () => {
      const out: Array<ExpressSessionData & { id: string }> = [];
      for (const id of await this.listIds()) {
        const record = await this.loadLive(id);
        if (record) out.push({ ...this.toData(record), id });
      }
      return out;
    });
  }

  /** The ids of every live session. */
  ids(callback?: Callback<string[]>): Promise<string[]> {
    return settle(callback, async () => {
      const out: string[] = [];
      for (const id of await this.listIds()) if (await this.loadLive(id)) out.push(id);
      return out;
    });
  }

  length(callback?: Callback<number>): Promise<number> {
    return settle(callback, async () => (await this.ids()).length);
  }

  /** Deletes every session (through the store, so its indexes go too). */
  clear(callback?: Callback<void>): Promise<void> {
    return settle(callback, async () => {
      for (const id of await this.listIds()) await this.destroy(id);
    });
  }

  /** @internal a loaded session remembers what it was, so its save is a delta. */
  rememberLoaded(sid: string, session: object, loaded: object): void {
    const creationTime = (loaded as Record<symbol, unknown>)[ORIGINAL_CREATION];
    remember(session, sid, this.attributesOf(session as ExpressSessionData, false), typeof creationTime === 'number' ? creationTime : this.clock());
  }

  private async listIds(): Promise<string[]> {
    const list = this.listIdsOption ?? builtInLister(this.store);
    if (!list) {
      throw new SessionStoreError(this.store.kind, 'list', new Error('this store cannot list its sessions; pass the listIds option'));
    }
    const ids = await this.call('list', list);
    return ids.filter((id) => this.isValidId(id));
  }

  private async loadLive(sid: string): Promise<SessionRecord | null> {
    const record = await this.call('load', () => this.store.load(sid));
    if (!record || isExpired(record.lastAccessedTime, record.maxInactiveInterval, this.clock())) return null;
    return record;
  }

  private toData(record: SessionRecord): ExpressSessionData {
    const timeout = record.maxInactiveInterval;
    const cookie: ExpressCookieData = {
      ...this.cookie,
      originalMaxAge: timeout < 0 ? null : timeout * 1000,
      expires: timeout < 0 ? null : new Date(record.lastAccessedTime + timeout * 1000).toISOString(),
    };
    const visible = screenAttributes(this.descriptor, record.attributes, (attribute, reason) =>
      this.events?.emit('invalid-attribute', record.id, { attribute, reason }),
    ).attributes;
    const data: ExpressSessionData = { cookie, ...structuredClone(visible) };
    Object.defineProperty(data, ORIGINAL_CREATION, { value: record.creationTime, enumerable: false });
    return data;
  }

  /** The attributes, checked against the schema (JSON copies: Dates become strings, as with every JSON store). */
  private attributesOf(session: ExpressSessionData, validate = true): Record<string, unknown> {
    const attributes: Record<string, unknown> = {};
    for (const key of Object.keys(session)) {
      if (key === 'cookie') continue;
      const value = session[key];
      if (value === undefined || typeof value === 'function') continue;
      const json = JSON.parse(JSON.stringify(value)) as unknown;
      attributes[key] = validate ? validateAttribute(this.descriptor, key, json) : json;
    }
    return attributes;
  }

  private timeoutOf(session: ExpressSessionData): number {
    const maxAge = session.cookie?.originalMaxAge;
    if (typeof maxAge === 'number' && Number.isFinite(maxAge)) return checkMaxInactiveInterval(Math.max(0, Math.ceil(maxAge / 1000)), 'the cookie maxAge / 1000');
    return this.defaultTimeout;
  }

  private indexesOf(attributes: Record<string, unknown>): Record<string, IndexValue | null> {
    const indexes: Record<string, IndexValue | null> = {};
    for (const index of this.descriptor.indexes) {
      const value = attributes[index.attribute];
      indexes[index.name] = value === undefined || value === null ? null : (value as IndexValue);
    }
    return indexes;
  }

  private buildWrite(
    sid: string,
    previous: Record<string, unknown> | null,
    attributes: Record<string, unknown>,
    creationTime: number,
    now: number,
    timeout: number,
  ): SessionWrite {
    const set: Record<string, unknown> = {};
    const removed: string[] = [];
    const changed = new Set<string>();
    for (const [name, value] of Object.entries(attributes)) {
      if (previous && name in previous && JSON.stringify(previous[name]) === JSON.stringify(value)) continue;
      set[name] = value;
      changed.add(name);
    }
    if (previous) {
      for (const name of Object.keys(previous)) {
        if (!(name in attributes)) {
          removed.push(name);
          changed.add(name);
        }
      }
    }
    const indexes = this.indexesOf(attributes);
    const changedIndexes = this.descriptor.indexes
      .filter((index) => (previous ? changed.has(index.attribute) : attributes[index.attribute] !== undefined))
      .map((index) => index.name);
    return {
      id: sid,
      isNew: previous === null,
      creationTime,
      lastAccessedTime: now,
      maxInactiveInterval: timeout,
      expiresAt: expiresAt(now, timeout),
      set,
      removed,
      indexes,
      changedIndexes,
      now,
    };
  }

  private checkId(sid: string): void {
    if (!this.isValidId(sid)) {
      throw new TypeError(
        'session id rejected by the sessiongen store adapter: use express-session\'s default genid or `genid: () => crypto.randomUUID()`, or pass isValidId',
      );
    }
  }

  private async call<T>(operation: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (err instanceof SessionStoreError) throw err;
      throw new SessionStoreError(this.store.kind, operation, err);
    }
  }
}

interface Original {
  id: string;
  attributes: Record<string, unknown>;
  creationTime: number;
}

function originalOf(session: object): Original | undefined {
  return (session as { [ORIGINAL]?: Original })[ORIGINAL];
}

function remember(session: object, id: string, attributes: Record<string, unknown>, creationTime: number): void {
  Object.defineProperty(session, ORIGINAL, { value: { id, attributes, creationTime }, enumerable: false, configurable: true, writable: true });
}

/** Runs the work; reports to the callback if given (then the Promise never rejects unhandled). */
function settle<T>(callback: Callback<T> | undefined, work: () => Promise<T>): Promise<T> {
  const result = work();
  if (!callback) return result;
  result.then(
    (value) => callback(null, value),
    (error) => callback(error),
  );
  return result.catch(() => undefined as T);
}

/**
 * Lists session ids for the stores that can be enumerated from outside (SQL table, Redis keys).
 * A wrapping store (instrumentation, caching) that exposes the wrapped one as `inner` is looked through.
 */
function builtInLister(store: SessionStore, depth = 0): (() => Promise<string[]>) | undefined {
  const inner = (store as { inner?: SessionStore }).inner;
  if (inner && typeof inner === 'object' && depth < 4) return builtInLister(inner, depth + 1);
  const sql = store as unknown as { knex?: (table: string) => { select(column: string): Promise<Array<Record<string, unknown>>> }; table?: string };
  if (typeof sql.knex === 'function' && typeof sql.table === 'string') {
    const { knex, table } = sql;
    return async () => (await knex(table).select('session_id')).map((row) => String(row.session_id));
  }
  const redis = store as unknown as {
    keys?: { prefix: string; session(id: string): string };
    client?: RedisLike & { nodes?(role: string): RedisLike[]; options?: { keyPrefix?: string } };
  };
  if (redis.keys && redis.client && typeof redis.client.scan === 'function') {
    const { keys, client } = redis;
    return async () => {
      const clientPrefix = client.options?.keyPrefix ?? '';
      const nodes = typeof client.nodes === 'function' ? client.nodes('master') : [client];
      const head = `${clientPrefix}${keys.prefix}:{`;
      const ids = new Set<string>();
      for (const node of nodes) {
        let cursor = '0';
        do {
          const [next, batch] = await node.scan(cursor, 'MATCH', `${escapeGlob(head)}*}`, 'COUNT', 1000);
          cursor = next;
          for (const key of batch) {
            if (!key.startsWith(head) || !key.endsWith('}')) continue;
            const id = key.slice(head.length, -1);
            if (!id.includes('{') && !id.includes('}')) ids.add(id);
          }
        } while (cursor !== '0');
      }
      return [...ids];
    };
  }
  return undefined;
}

interface RedisLike {
  scan(cursor: string, match: 'MATCH', pattern: string, count: 'COUNT', n: number): Promise<[string, string[]]>;
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/** The adapter class for one express-session module: a real subclass of its `Store`. */
export type ExpressSessionStoreClass = new (source: ExpressSessionStoreSource, options?: ExpressSessionStoreOptions) => ExpressStoreBase &
  Omit<SessionStoreAdapter, 'rememberLoaded'> & { readonly adapter: SessionStoreAdapter };

const classes = new WeakMap<ExpressSessionModuleLike, ExpressSessionStoreClass>();

/** The `Store` subclass for this express-session module (made once per module). */
export function expressSessionStoreClass(session: ExpressSessionModuleLike): ExpressSessionStoreClass {
  const cached = classes.get(session);
  if (cached) return cached;
  const Base = session.Store;
  if (typeof Base !== 'function') throw new TypeError('expected the express-session module (its default export), which has Store');
  class SessiongenExpressStore extends Base {
    readonly adapter: SessionStoreAdapter;
    constructor(source: ExpressSessionStoreSource, options: ExpressSessionStoreOptions = {}) {
      super();
      this.adapter = new SessionStoreAdapter(source, options);
    }
    get(sid: string, callback?: Callback<ExpressSessionData | null>) {
      return this.adapter.get(sid, callback);
    }
    set(sid: string, session: ExpressSessionData, callback?: Callback<void>) {
      return this.adapter.set(sid, session, callback);
    }
    destroy(sid: string, callback?: Callback<void>) {
      return this.adapter.destroy(sid, callback);
    }
    touch(sid: string, session: ExpressSessionData, callback?: Callback<void>) {
      return this.adapter.touch(sid, session, callback);
    }
    all(callback?: Callback<Array<ExpressSessionData & { id: string }>>) {
      return this.adapter.all(callback);
    }
    ids(callback?: Callback<string[]>) {
      return this.adapter.ids(callback);
    }
    length(callback?: Callback<number>) {
      return this.adapter.length(callback);
    }
    clear(callback?: Callback<void>) {
      return this.adapter.clear(callback);
    }
    /** express-session's `createSession`, plus what the save needs to write a delta. */
    createSession(req: { sessionID: string }, sess: ExpressSessionData): unknown {
      const base = Base.prototype as unknown as { createSession?: (req: object, sess: object) => object };
      if (typeof base.createSession !== 'function') throw new TypeError('express-session Store has no createSession');
      const loaded = sess;
      const created = base.createSession.call(this, req, sess);
      this.adapter.rememberLoaded(req.sessionID, created, loaded);
      return created;
    }
  }
  classes.set(session, SessiongenExpressStore);
  return SessiongenExpressStore;
}

/** A ready store instance: `session({ store: createExpressSessionStore(session, repository) })`. */
export function createExpressSessionStore(
  session: ExpressSessionModuleLike,
  source: ExpressSessionStoreSource,
  options: ExpressSessionStoreOptions = {},
): InstanceType<ExpressSessionStoreClass> {
  return new (expressSessionStoreClass(session))(source, options);
}
