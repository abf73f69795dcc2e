import type { SessionClient } from '../core/devices.js';
import { SessionConflictError, SessionEndedError, SessionMovedError, SessionStoreError, TooManySessionsError } from '../core/errors.js';
import type { SessionEndReason } from '../core/events.js';
import type { SaveOutcome } from '../core/repository.js';
import type { Session } from '../core/session.js';
import { clientOf, type TrustProxy } from './client.js';
import { MAX_SESSION_ID_CANDIDATES, type HeaderMutation, type ResolverRequest, type SessionIdResolver } from './id-resolver.js';

/**
 * Any session, whatever its attribute and default types. (`Session<any, any>` alone does not
 * accept a session whose defaults parameter is `never`, the repository's default.)
 */
export type AnySession = Session<any, any> | Session<any, never>;

/** The part of a `SessionRepository` the web layer uses; generated repositories satisfy it. */
export interface SessionRepositoryLike<S extends AnySession> {
  createSession(): S;
  findById(id: string): Promise<S | null>;
  /** Tells an id another request changed moments ago (`'moved'`); `SessionRepository` has it. */
  findByIdOrMoved?(id: string): Promise<S | 'moved' | null>;
  save(session: S): Promise<SaveOutcome>;
  deleteById(id: string, options?: { reason?: SessionEndReason }): Promise<void>;
  /**
   * Marks a request's access (at most once per touch interval) and records its device;
   * `SessionRepository` has it. Without it, every request sets `lastAccessedTime`.
   */
  recordAccess?(session: S, options: { now?: number; client?: SessionClient; force?: boolean }): boolean;
  /** Whether the repository keeps devices (then the request's client is read for it). */
  readonly recordsDevices?: boolean;
  readonly clock?: () => number;
  readonly store?: { readonly kind: string; readonly compat?: string };
  /** The id generator: ids it could not have made are skipped without a lookup. */
  readonly ids?: { isValid(id: string): boolean };
}

export interface RequestSessionOptions<S extends AnySession> {
  repository: SessionRepositoryLike<S>;
  resolver: SessionIdResolver;
  request: ResolverRequest;
  /** The HTTP status carried by store failures ({@link SessionStoreUnavailableError}). Default 503. */
  storeErrorStatus?: number;
  /**
   * Called once, when the app first touches the session, before anything else happens: an
   * integration can start watching the response only then, so an untouched request costs nothing.
   */
  onFirstTouch?: () => void;
  /** Which proxies to believe about the client's address, for the session's device. Default false. */
  trustProxy?: TrustProxy;
}

/**
 * A store call made for a request failed. Carries an HTTP status (`status` and `statusCode`,
 * default 503) that Express's and Fastify's error handlers honour.
 */
export class SessionStoreUnavailableError extends SessionStoreError {
  readonly status: number;
  readonly statusCode: number;
  readonly expose = false;
  constructor(store: string, operation: string, cause: unknown, status = 503) {
    super(store, operation, cause);
    if (cause instanceof SessionStoreError) this.message = cause.message;
    this.status = status;
    this.statusCode = status;
  }
}

/**
 * One request's view of its session: the framework-agnostic state machine every integration
 * (Express, Fastify, Fetch) drives, following Spring Session's `SessionRepositoryFilter`.
 *
 * - Lazy: nothing touches the store until the app calls `get`, `find`, `invalidate`,
 *   `changeSessionId` or `save`. The requested session is loaded at most once per request, trying
 *   at most {@link MAX_SESSION_ID_CANDIDATES} of the request's ids, whatever the client sent.
 * - Operations run one after another in call order, so concurrent calls within one request see a
 *   consistent state.
 * - `commit()` saves what changed and returns the headers to add: the id for a new or changed
 *   session, an expiry after `invalidate`.
 * - Another request's change is never overwritten or answered as success: a request that comes
 *   with an id another request changed moments ago (a login) gets {@link SessionMovedError} from
 *   `get`, `find`, `invalidate` and `changeSessionId` (no session is read or created, no header
 *   set); a save that finds its session deleted meanwhile, or its own id change beaten by another,
 *   rejects with {@link SessionEndedError} or {@link SessionMovedError}, and so does `commit()`,
 *   so the integrations answer 409/410 instead of the app's response, and never clear a cookie.
 *   (A save of a session whose id another request changed after this one loaded it lands under
 *   the new id, without giving this request's client that id.) A login the repository refuses
 *   (`maxSessionsPerPrincipal` with `refuse`) rejects with {@link TooManySessionsError} the same
 *   way (403): nothing was written, and the client keeps the id it came with.
 * - Accesses: loading the session marks it accessed through `repository.recordAccess`, which
 *   writes the access time at most once per the repository's `touchInterval` when nothing else
 *   changes, and records the client's device where the schema keeps devices.
 */
export class RequestSession<S extends AnySession> {
  private readonly repository: SessionRepositoryLike<S>;
  private readonly resolver: SessionIdResolver;
  private readonly request: ResolverRequest;
  private readonly storeErrorStatus: number;
  private requestedIds: string[] | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  private loaded = false;
  private current: S | null = null;
  /** The id of the session found from the request's ids (the client already has it). */
  private requestedId: string | null = null;
  /** The id under which the store holds the current session, if it does. */
  private storedId: string | null = null;
  private wasInvalidated = false;
  private wasTouched = false;
  private failure: SessionStoreUnavailableError | undefined;
  private conflictError: SessionConflictError | undefined;
  private commitResult: Promise<HeaderMutation[]> | undefined;
  private readonly onFirstTouch: (() => void) | undefined;
  private readonly trustProxy: TrustProxy;
  /** When the requested session was loaded: the access this request records. */
  private accessedAt: number | undefined;
  private requestClient: SessionClient | undefined;

  constructor(options: RequestSessionOptions<S>) {
    this.repository = options.repository;
    this.resolver = options.resolver;
    this.request = options.request;
    this.storeErrorStatus = options.storeErrorStatus ?? 503;
    this.onFirstTouch = options.onFirstTouch;
    this.trustProxy = options.trustProxy ?? false;
  }

  private touch(): void {
    if (this.wasTouched) return;
    this.wasTouched = true;
    this.onFirstTouch?.();
  }

  /** Whether the app touched the session at all (called any method that may reach the store). */
  get touched(): boolean {
    return this.wasTouched;
  }

  /**
   * The last store failure in this request, if any (even one the app or its framework caught):
   * integrations use it to answer with the failure's status rather than a generic 500.
   */
  get storeFailure(): SessionStoreUnavailableError | undefined {
    return this.failure;
  }

  /**
   * The session conflict this request met, if any: its session id was changed by another request
   * ({@link SessionMovedError}) or its session ended before its changes were stored
   * ({@link SessionEndedError}). The request neither read nor stored anything of the session then.
   */
  get conflict(): SessionConflictError | undefined {
    return this.conflictError;
  }

  /** Whether `commit()` has been called: the response headers are going or gone. */
  get committed(): boolean {
    return this.commitResult !== undefined;
  }

  /** Whether `invalidate()` was called. */
  get invalidated(): boolean {
    return this.wasInvalidated;
  }

  /** The ids the request carries, in order. No store call; unchecked beyond syntax. */
  get requestedSessionIds(): readonly string[] {
    this.requestedIds ??= this.resolver.resolve(this.request);
    return this.requestedIds;
  }

  /** The session already loaded or created in this request, without loading anything. */
  peek(): S | null {
    return this.current;
  }

  /** The requested session (the first candidate id the repository finds), or a new one. */
  get(): Promise<S> {
    this.touch();
    const afterCommit = this.committed;
    return this.run(async () => {
      const found = await this.findNow();
      if (found) return found;
      if (afterCommit) throw new Error('Cannot create a session after the response has been committed');
      return this.createNow();
    });
  }

  /** The requested session, or null when there is none (Spring's `getSession(false)`). */
  find(): Promise<S | null> {
    this.touch();
    return this.run(() => this.findNow());
  }

  /**
   * Deletes the session from the store now; the id is cleared from the client on commit. A later
   * `get()` in the same request makes a brand-new session.
   */
  invalidate(): Promise<void> {
    this.touch();
    return this.run(async () => {
      if (this.conflictError) throw this.conflictError;
      if (!this.current && !this.wasInvalidated) await this.loadRequested();
      const stored = this.storedId;
      if (stored !== null) await this.call('delete', () => this.repository.deleteById(stored, { reason: 'logout' }));
      this.storedId = null;
      this.current = null;
      this.wasInvalidated = true;
    });
  }

  /** Gives the session (loaded or created) a new id, as a defence against fixation; returns it. */
  changeSessionId(): Promise<string> {
    this.touch();
    if (this.committed) return Promise.reject(new Error('Cannot change the session id after the response has been committed'));
    return this.run(async () => {
      const session = (await this.findNow()) ?? this.createNow();
      return session.changeSessionId();
    });
  }

  /**
   * For login (session fixation defence), express-session's name with Spring's semantics:
   * `keepData` (default true) gives the session a new id and keeps its attributes
   * (`changeSessionId`); `keepData: false` deletes it and starts a brand-new empty session.
   * Resolves with the new id, which the client gets on commit.
   */
  async regenerate(options: { keepData?: boolean } = {}): Promise<string> {
    if (options.keepData ?? true) return this.changeSessionId();
    if (this.committed) throw new Error('Cannot regenerate the session after the response has been committed');
    await this.invalidate();
    return (await this.get()).id;
  }

  /** Saves the current session now (before the response), if there is one with changes. */
  save(): Promise<void> {
    this.touch();
    return this.run(async () => {
      const session = this.current;
      if (session) await this.saveNow(session);
    });
  }

  /**
   * Called once by the integration before the response headers go out. Saves the session if it
   * changed and returns the headers to add. Calling it again returns the same result. Rejects with
   * the request's {@link conflict} when it met one (then it adds no header).
   */
  commit(): Promise<HeaderMutation[]> {
    this.commitResult ??= this.run(async () => {
      if (this.conflictError) throw this.conflictError;
      const session = this.current;
      if (session) {
        await this.saveNow(session);
        return session.id === this.requestedId ? [] : this.resolver.write(session.id, this.request);
      }
      return this.wasInvalidated ? this.resolver.expire(this.request) : [];
    });
    return this.commitResult;
  }

  private run<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.tail.then(operation);
    this.tail = result.catch(() => undefined);
    return result;
  }

  private async findNow(): Promise<S | null> {
    if (this.conflictError) throw this.conflictError;
    if (this.current) return this.current;
    if (this.wasInvalidated) return null;
    await this.loadRequested();
    return this.current;
  }

  private createNow(): S {
    const session = this.repository.createSession();
    this.repository.recordAccess?.(session, { now: session.lastAccessedTime, client: this.client() });
    this.current = session;
    this.storedId = null;
    return session;
  }

  private async loadRequested(): Promise<void> {
    if (this.loaded) return;
    let moved = false;
    let lookups = 0;
    for (const id of this.requestedSessionIds) {
      if (this.repository.ids && !this.repository.ids.isValid(id)) continue;
      if (lookups++ === MAX_SESSION_ID_CANDIDATES) break;
      const found = await this.call('load', () => (this.repository.findByIdOrMoved ? this.repository.findByIdOrMoved(id) : this.repository.findById(id)));
      if (found === 'moved') moved = true;
      if (!found || found === 'moved') continue;
      const session = found;
      // With a touch interval, a request that changes nothing leaves the access time (no write).
      this.accessedAt = this.now();
      if (this.repository.recordAccess) this.repository.recordAccess(session, { now: this.accessedAt, client: this.client() });
      else session.lastAccessedTime = this.accessedAt;
      this.current = session;
      this.requestedId = session.id;
      this.storedId = session.id;
      break;
    }
    this.loaded = true;
    // Its id was changed by another request (a login) a moment ago: neither read the session nor
    // start a new one, whose cookie would replace the one that request hands out.
    if (!this.current && moved) throw (this.conflictError = new SessionMovedError());
  }

  private async saveNow(session: S): Promise<SaveOutcome> {
    // Written anyway: the write carries this request's access.
    if (this.accessedAt !== undefined && session.hasChanges) {
      this.repository.recordAccess?.(session, { now: this.accessedAt, client: this.client(), force: true });
    }
    let outcome: SaveOutcome;
    try {
      outcome = await this.call('save', () => this.repository.save(session));
    } catch (err) {
      if (!(err instanceof TooManySessionsError)) throw err;
      // A refused login wrote nothing: the session stays as stored, under the id the client has.
      this.current = null;
      this.storedId = null;
      throw (this.conflictError = err);
    }
    if (outcome === 'gone' || outcome === 'moved') {
      // Deleted meanwhile (logout, revoke, expiry), or another request changed the id first:
      // nothing was stored. Never resurrect it, and leave the cookie to the request that changed it.
      this.current = null;
      this.storedId = null;
      throw (this.conflictError = outcome === 'gone' ? new SessionEndedError() : new SessionMovedError());
    } else if (outcome === 'saved') {
      this.storedId = session.id;
    }
    return outcome;
  }

  private async call<T>(operation: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (err instanceof TooManySessionsError) throw err;
      this.failure =
        err instanceof SessionStoreUnavailableError
          ? err
          : new SessionStoreUnavailableError(this.repository.store?.kind ?? 'session', operation, err, this.storeErrorStatus);
      throw this.failure;
    }
  }

  private now(): number {
    return (this.repository.clock ?? Date.now)();
  }

  /** The request's client, read (once) only where the repository keeps devices. */
  private client(): SessionClient | undefined {
    if (!this.repository.recordsDevices) return undefined;
    return (this.requestClient ??= clientOf(this.request, this.trustProxy));
  }
}
