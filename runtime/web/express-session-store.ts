/**
 * `@sessiongen/runtime/express-session`: an express-session `Store` over a sessiongen repository,
 * so an express-session app moves to sessiongen's SQL, Redis, Hazelcast or memory store by
 * changing one line:
 *
 * ```ts
 * import session from 'express-session';
 * import { createExpressSessionStore } from '@sessiongen/runtime/express-session';
 * app.use(session({ secret, resave: false, saveUninitialized: false,
 *   store: createExpressSessionStore(session, repository) }));   // was: new RedisStore({ client })
 * ```
 *
 * The store is a real subclass of the `Store` of the express-session module passed in, typed by
 * express-session's own declarations (`@types/express-session`, an optional peer dependency):
 * `instanceof session.Store` holds, and `regenerate`, `load` and `createSession` are
 * express-session's. It works through the repository, with the repository's rules:
 *
 * - Saves are the repository's delta saves: `set` loads the session as a sessiongen `Session` (or
 *   reuses the one this request's `get` loaded), turns express-session's data into `set`/`remove`
 *   of attributes, and calls `repository.save`. Two requests changing different properties of one
 *   session both win, and a save never brings back a session deleted or expired meanwhile.
 * - Attributes: each top-level property of express-session's data is an attribute, validated by
 *   the schema through `Session.set`; a value or name the schema rejects fails the save with
 *   `InvalidAttributeError` (to the app's error handler) and nothing is written. Values are stored
 *   as JSON (a `Date` comes back as its ISO string, as with every express-session store). With a
 *   schema that has open attributes (`"additionalProperties": {}`), any property is accepted.
 * - `cookie`: its timing is the session's timeout (next rule). Its other fields (path, domain,
 *   httpOnly, secure, sameSite, …) are stored as the attribute `cookie` when the schema has one
 *   (declared, or through open attributes); otherwise they come back from the `cookie` option
 *   (give it what you give express-session).
 * - Timeout: `cookie.originalMaxAge` (or, on plain objects, `cookie.maxAge`) in ms becomes the
 *   session's `maxInactiveInterval` in whole seconds, rounded up (1500 ms is 2 s), so the session
 *   never ends before its cookie; a cookie without one (a browser-session cookie) gets the
 *   repository's default timeout. `cookie.expires` is not stored: express-session recomputes it
 *   on every request as now + originalMaxAge, which is exactly the idle timeout; a loaded session's
 *   `cookie.expires` is `lastAccessedTime + maxInactiveInterval`.
 * - `set` and `touch` set `lastAccessedTime` to now; `touch` writes only the times.
 * - Ids: checked before any store sees them. By default express-session's own ids (its default
 *   `genid` is uid-safe: 24 random bytes as 32 base64url characters) and UUIDs v4. Another `genid`
 *   needs `isValidId`. With `genid: () => crypto.randomUUID()` the sessions are also ones that the
 *   app's sessiongen repository and integrations find by id (they accept UUIDs only).
 * - Events: the repository's `created` (first save) and `deleted` (`destroy`); `expired` where
 *   the store reports expiry.
 * - `all`, `ids`, `length` and `clear` read the store's ids page by page (`SessionStore.listIds`),
 *   never every session at once; `all` then loads each live session (its answer holds them all).
 * - Every method takes an optional callback and returns a Promise.
 */
import type expressSession from 'express-session';
import {
  deepEqual,
  lookupAttribute,
  uuidSessionIdGenerator,
  validateAttribute,
  type Session,
  type SessionRepository,
} from '@sessiongen/runtime';
// The core is imported by its package name, not by path: this entry is compiled in a TypeScript
// program of its own, because express-session's declarations type `req.session` globally, which
// cannot share a program with sessiongen's Express integration (see runtime/tsconfig.build.*).

type ExpressSession = typeof expressSession;
type SessionData = expressSession.SessionData;
type Callback<T> = (err: any, result?: T) => void;

/** Any generated repository (any attributes, with or without defaults). */
export type AnySessionRepository = SessionRepository<any, any> | SessionRepository<any, never>;
type Repository = SessionRepository<Record<string, unknown>>;
type AnyAttributeSession = Session<Record<string, unknown>>;

/** Cookie fields the adapter gives back on load when the schema has no `cookie` attribute. */
export type ExpressSessionCookieDefaults = Pick<
  expressSession.CookieOptions,
  'path' | 'domain' | 'httpOnly' | 'secure' | 'sameSite' | 'partitioned' | 'priority'
>;

export interface ExpressSessionStoreOptions {
  /**
   * Which session ids the adapter accepts; any other never reaches the store (`get` answers
   * null, `destroy` does nothing, `set` and `touch` fail with a TypeError). Default
   * {@link isDefaultExpressSessionId}: express-session's default ids and UUIDs v4. An app with
   * its own `genid` passes the matching check. Ids must fit the store: at most 64 characters, no
   * `{` or `}`.
   */
  isValidId?: (id: string) => boolean;
  /** Cookie fields given back on load when the schema has no `cookie` attribute. Default express-session's: `{ path: '/', httpOnly: true, secure: false }`. */
  cookie?: ExpressSessionCookieDefaults;
}

/** An express-session `Store` backed by a sessiongen repository; each method also returns a Promise. */
export interface SessiongenExpressSessionStore extends expressSession.Store {
  /** The repository, under the adapter's id rules (same store, events, clock and timeout). */
  readonly repository: AnySessionRepository;
  get(sid: string, callback?: Callback<SessionData | null>): Promise<SessionData | null>;
  set(sid: string, session: SessionData, callback?: (err?: any) => void): Promise<void>;
  destroy(sid: string, callback?: (err?: any) => void): Promise<void>;
  touch(sid: string, session: SessionData, callback?: (err?: any) => void): Promise<void>;
  /** Every live session, each with its `id`. */
  all(callback?: Callback<Array<SessionData & { id: string }>>): Promise<Array<SessionData & { id: string }>>;
  /** The ids of every live session. */
  ids(callback?: Callback<string[]>): Promise<string[]>;
  length(callback?: Callback<number>): Promise<number>;
  /** Deletes every session whose id the adapter accepts. */
  clear(callback?: (err?: any) => void): Promise<void>;
}

export type SessiongenExpressSessionStoreClass = new (
  repository: AnySessionRepository,
  options?: ExpressSessionStoreOptions,
) => SessiongenExpressSessionStore;

/** express-session's default `genid`: uid-safe, 24 random bytes as 32 base64url characters. */
const UID_SAFE_24 = /^[A-Za-z0-9_-]{32}$/;

/** The adapter's default id check: express-session's default ids, and UUIDs v4 (`genid: () => crypto.randomUUID()`). */
export function isDefaultExpressSessionId(id: string): boolean {
  return typeof id === 'string' && (UID_SAFE_24.test(id) || uuidSessionIdGenerator.isValid(id));
}

/** The sessiongen `Session` a request loaded, kept on express-session's object so its save is a delta. */
const LOADED = Symbol('sessiongen.expressSession.loaded');
const DEFAULT_COOKIE: ExpressSessionCookieDefaults = { path: '/', httpOnly: true, secure: false };
/** Cookie fields that are the session's timing, never stored as part of the `cookie` attribute. */
const COOKIE_TIMING = ['expires', 'maxAge', 'originalMaxAge', '_expires'];
const CLEAR_BATCH = 100;

/** The store logic: express-session's Store methods over the repository. */
class ExpressSessionAdapter {
  readonly repository: Repository;
  private readonly isValidId: (id: string) => boolean;
  private readonly cookie: ExpressSessionCookieDefaults;

  constructor(repository: AnySessionRepository, options: ExpressSessionStoreOptions) {
    const base = repository as unknown as Repository;
    if (typeof base?.withIdRules !== 'function') throw new TypeError('createExpressSessionStore needs a sessiongen repository (a generated one)');
    this.isValidId = options.isValidId ?? isDefaultExpressSessionId;
    this.repository = base.withIdRules({ generate: () => base.ids.generate(), isValid: (id) => typeof id === 'string' && this.isValidId(id) });
    this.cookie = options.cookie ?? DEFAULT_COOKIE;
  }

  async get(sid: string): Promise<SessionData | null> {
    const session = await this.repository.findById(sid);
    return session ? this.toData(session) : null;
  }

  async set(sid: string, data: SessionData): Promise<void> {
    this.checkId(sid);
    const session = loadedOf(data, sid) ?? (await this.repository.findById(sid)) ?? this.repository.createSession(sid);
    this.apply(session, data as unknown as Record<string, unknown>);
    this.refresh(session, data);
    if ((await this.repository.save(session)) !== 'gone') keepLoaded(data, session);
  }

  async touch(sid: string, data: SessionData): Promise<void> {
    this.checkId(sid);
    const session = loadedOf(data, sid) ?? (await this.repository.findById(sid));
    if (!session) return; // deleted or expired meanwhile: nothing to extend
    this.refresh(session, data);
    await this.repository.save(session);
  }

  /** express-session calls it for `req.session.destroy()` and `regenerate()`: a logout. */
  destroy(sid: string): Promise<void> {
    return this.repository.deleteById(sid, { reason: 'logout' });
  }

  async all(): Promise<Array<SessionData & { id: string }>> {
    const out: Array<SessionData & { id: string }> = [];
    for (const id of await this.ids()) {
      const session = await this.repository.findById(id);
      if (session) out.push(Object.assign(this.toData(session), { id }));
    }
    return out;
  }

  async ids(): Promise<string[]> {
    const ids = new Set<string>();
    for await (const id of this.repository.listIds()) ids.add(id);
    return [...ids];
  }

  async length(): Promise<number> {
    return (await this.ids()).length;
  }

  async clear(): Promise<void> {
    let batch: string[] = [];
    for await (const id of this.repository.listIds()) {
      batch.push(id);
      if (batch.length < CLEAR_BATCH) continue;
      await Promise.all(batch.map((each) => this.repository.deleteById(each)));
      batch = [];
    }
    await Promise.all(batch.map((each) => this.repository.deleteById(each)));
  }

  /** express-session's data for a loaded session: its attributes, and the cookie. */
  private toData(session: AnyAttributeSession): SessionData {
    const attributes: Record<string, unknown> = session.attributesSnapshot();
    const stored = attributes.cookie;
    const fields = this.storesCookie() && isPlainObject(stored) ? stored : this.cookie;
    delete attributes.cookie;
    const timeout = session.maxInactiveInterval;
    const cookie = {
      ...fields,
      originalMaxAge: timeout < 0 ? null : timeout * 1000,
      expires: timeout < 0 ? null : new Date(session.lastAccessedTime + timeout * 1000).toISOString(),
    };
    const data = { ...attributes, cookie } as unknown as SessionData;
    keepLoaded(data, session);
    return data;
  }

  /**
   * Turns express-session's data into sets and removes on the session: a property whose JSON
   * differs from the stored value is set, a stored attribute the data no longer has is removed.
   * Every changed value is validated before the first change, so a rejected one changes nothing.
   */
  private apply(session: AnyAttributeSession, data: Record<string, unknown>): void {
    const wanted = new Map<string, unknown>();
    for (const name of Object.keys(data)) {
      let value = data[name];
      if (name === 'cookie') {
        if (!this.storesCookie()) continue;
        value = cookieFields(value);
      }
      const json = jsonCopy(value);
      if (json !== undefined) wanted.set(name, json);
    }
    const changed = [...wanted].filter(([name, value]) => !session.has(name) || !deepEqual(session.get(name), value));
    for (const [name, value] of changed) validateAttribute(this.repository.descriptor, name, value);
    for (const [name, value] of changed) session.set(name, value);
    for (const name of session.attributeNames()) if (!wanted.has(name)) session.remove(name);
  }

  /** The times a save or touch writes: now, and the timeout from the cookie. */
  private refresh(session: AnyAttributeSession, data: SessionData): void {
    session.maxInactiveInterval = timeoutOf(data.cookie) ?? this.repository.defaultMaxInactiveInterval;
    session.lastAccessedTime = this.repository.clock();
  }

  /** Whether the schema takes `cookie` as an attribute (declared, or through open attributes). */
  private storesCookie(): boolean {
    return lookupAttribute(this.repository.descriptor, 'cookie') !== undefined;
  }

  private checkId(sid: string): void {
    if (!this.isValidId(sid)) {
      throw new TypeError(
        'session id rejected by the sessiongen express-session store: use express-session\'s default genid or `genid: () => crypto.randomUUID()`, or pass the isValidId option that matches your genid',
      );
    }
  }
}

/** The cookie's timeout in whole seconds, rounded up; undefined when the cookie has none. */
function timeoutOf(cookie: unknown): number | undefined {
  if (!cookie || typeof cookie !== 'object') return undefined;
  const { originalMaxAge, maxAge } = cookie as { originalMaxAge?: unknown; maxAge?: unknown };
  const ms = typeof originalMaxAge === 'number' ? originalMaxAge : typeof maxAge === 'number' ? maxAge : undefined;
  if (ms === undefined || !Number.isFinite(ms)) return undefined;
  return Math.max(0, Math.ceil(ms / 1000));
}

/** The cookie's fields other than its timing, as stored in a `cookie` attribute. */
function cookieFields(cookie: unknown): unknown {
  const json = jsonCopy(cookie);
  if (!isPlainObject(json)) return json;
  for (const name of COOKIE_TIMING) delete json[name];
  return json;
}

/** The value as a JSON store keeps it; undefined for what JSON drops (undefined, functions). */
function jsonCopy(value: unknown): unknown {
  if (value === undefined || typeof value === 'function') return undefined;
  const text = JSON.stringify(value);
  return text === undefined ? undefined : (JSON.parse(text) as unknown);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function loadedOf(data: object, sid: string): AnyAttributeSession | undefined {
  const session = (data as { [LOADED]?: AnyAttributeSession })[LOADED];
  return session && session.id === sid ? session : undefined;
}

function keepLoaded(data: object, session: AnyAttributeSession): void {
  Object.defineProperty(data, LOADED, { value: session, enumerable: false, configurable: true, writable: true });
}

/** Runs the work; reports to the callback if given (then the Promise never rejects unhandled). */
function settle<T>(callback: Callback<T> | undefined, work: () => Promise<T>): Promise<T> {
  let result: Promise<T>;
  try {
    result = work();
  } catch (err) {
    result = Promise.reject(err);
  }
  if (!callback) return result;
  result.then(
    (value) => callback(null, value),
    (error) => callback(error),
  );
  return result.catch(() => undefined as T);
}

const classes = new WeakMap<object, SessiongenExpressSessionStoreClass>();

/** The `Store` subclass for this express-session module (made once per module). */
export function expressSessionStoreClass(session: Pick<ExpressSession, 'Store'>): SessiongenExpressSessionStoreClass {
  const cached = classes.get(session);
  if (cached) return cached;
  const Base = session.Store;
  if (typeof Base !== 'function') throw new TypeError('expected the express-session module (its default export), which has Store');

  class SessiongenStore extends Base implements SessiongenExpressSessionStore {
    private readonly adapter: ExpressSessionAdapter;

    constructor(repository: AnySessionRepository, options: ExpressSessionStoreOptions = {}) {
      super();
      this.adapter = new ExpressSessionAdapter(repository, options);
    }

    get repository(): AnySessionRepository {
      return this.adapter.repository;
    }

    override get(sid: string, callback?: Callback<SessionData | null>): Promise<SessionData | null> {
      return settle(callback, () => this.adapter.get(sid));
    }

    override set(sid: string, data: SessionData, callback?: (err?: any) => void): Promise<void> {
      return settle(callback, () => this.adapter.set(sid, data));
    }

    override destroy(sid: string, callback?: (err?: any) => void): Promise<void> {
      return settle(callback, () => this.adapter.destroy(sid));
    }

    override touch(sid: string, data: SessionData, callback?: (err?: any) => void): Promise<void> {
      return settle(callback, () => this.adapter.touch(sid, data));
    }

    override all(callback?: Callback<Array<SessionData & { id: string }>>): Promise<Array<SessionData & { id: string }>> {
      return settle(callback, () => this.adapter.all());
    }

    ids(callback?: Callback<string[]>): Promise<string[]> {
      return settle(callback, () => this.adapter.ids());
    }

    override length(callback?: Callback<number>): Promise<number> {
      return settle(callback, () => this.adapter.length());
    }

    override clear(callback?: (err?: any) => void): Promise<void> {
      return settle(callback, () => this.adapter.clear());
    }

    /** express-session's `createSession`, handing the loaded sessiongen session on to the save. */
    override createSession(req: Parameters<expressSession.Store['createSession']>[0], data: SessionData) {
      const loaded = (data as { [LOADED]?: AnyAttributeSession })[LOADED];
      const created = super.createSession(req, data);
      if (loaded) keepLoaded(created, loaded);
      return created;
    }
  }

  classes.set(session, SessiongenStore);
  return SessiongenStore;
}

/** A ready store: `session({ store: createExpressSessionStore(session, repository) })`. */
export function createExpressSessionStore(
  session: Pick<ExpressSession, 'Store'>,
  repository: AnySessionRepository,
  options: ExpressSessionStoreOptions = {},
): SessiongenExpressSessionStore {
  return new (expressSessionStoreClass(session))(repository, options);
}
