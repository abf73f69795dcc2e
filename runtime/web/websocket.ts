import type { SaveOutcome } from '../core/repository.js';
import type { SessionEventListener, SessionEventType } from '../core/events.js';
import { defaultCookieResolver } from './cookie-resolver.js';
import { resolverRequestFromRecord, type SessionIdResolver } from './id-resolver.js';
import type { AnySession } from './request-session.js';

/** RFC 6455 1008 Policy Violation, the code Spring Session closes with. */
export const SESSION_CLOSE_CODE = 1008;
export const SESSION_CLOSE_REASON = 'the HTTP session this connection was opened under has ended';

/** The part of a `ws` WebSocket the keeper uses (a `ws` WebSocket satisfies it). */
export interface KeptSocket {
  readonly readyState: number;
  on(event: 'message', listener: (...args: any[]) => void): unknown;
  on(event: 'close', listener: (...args: any[]) => void): unknown;
  close(code?: number, reason?: string): void;
}

/** The repository surface the keeper needs; a `SessionRepository` satisfies it. */
export interface KeeperRepository<S extends AnySession> {
  findById(id: string): Promise<S | null>;
  save(session: S): Promise<SaveOutcome>;
  on?(type: SessionEventType, listener: SessionEventListener): () => void;
  readonly clock?: () => number;
  /** The repository's touch interval (seconds): the keeper's default write interval when set. */
  readonly touchInterval?: number;
  readonly store?: { readonly kind: string; onExpired?: unknown; readonly notifications?: string; readonly compat?: string };
}

export interface SessionKeepAliveOptions<S extends AnySession> {
  repository: KeeperRepository<S>;
  /** Reads the session id from the upgrade request; default a `CookieSessionIdResolver` in the store's form (Spring's base64 over a Spring layout). */
  resolver?: SessionIdResolver;
  /**
   * At most one store write per session per this many ms, however many messages arrive. Default:
   * the repository's `touchInterval` when it has one, else 60 000.
   */
  touchIntervalMs?: number;
  /**
   * Whether every message (not only one per interval) checks that the session still exists, with
   * a read. Default: true when the store cannot report expiry (no `onExpired`, or Redis without
   * keyspace notifications), so a socket notices the end of its session on its next message.
   */
  checkEveryMessage?: boolean;
  /** Where store failures are reported. Default `console.error`. */
  logger?: (message: string, error: unknown) => void;
}

interface Tracked<S extends AnySession> {
  readonly id: string;
  readonly sockets: Set<KeptSocket>;
  /** When the last store write happened (keeper clock). */
  lastTouch: number;
  /** When the session expires as of the last load or save; null when it never does. */
  expiresAt: number | null;
  /** The one store call in flight for this session, so messages never stack writes. */
  pending: Promise<void> | null;
  session: S | null;
}

/**
 * WebSocket support (`ws`), after Spring Session's `SessionRepositoryMessageInterceptor` and
 * `WebSocketRegistryListener`: a socket opened under an HTTP session keeps that session alive
 * while messages flow, and is closed with 1008 when the session ends.
 *
 * - Every message counts as an access; the store is written at most once per `touchIntervalMs`
 *   per session (shared by all its sockets), by setting `lastAccessedTime` and saving.
 * - The session's deletion (`deleteById` in this process) and expiry (stores that emit it: Redis
 *   with keyspace notifications, SQL cleanup, memory sweeps) close its sockets at once.
 * - Otherwise the next message finds out: a session past its expiry, or one the store no longer
 *   holds (revoked by another process), closes the socket with 1008.
 *
 * ```ts
 * const keeper = new SessionKeepAlive({ repository });
 * server.on('upgrade', async (req, socket, head) => {
 *   const session = await keeper.sessionFor(req);
 *   if (!session) return socket.destroy();
 *   wss.handleUpgrade(req, socket, head, (ws) => keeper.track(ws, session.id));
 * });
 * ```
 */
export class SessionKeepAlive<S extends AnySession> {
  readonly touchIntervalMs: number;
  readonly checkEveryMessage: boolean;
  private readonly repository: KeeperRepository<S>;
  private readonly resolver: SessionIdResolver;
  private readonly logger: (message: string, error: unknown) => void;
  private readonly tracked = new Map<string, Tracked<S>>();
  private readonly unsubscribe: Array<() => void> = [];

  constructor(options: SessionKeepAliveOptions<S>) {
    this.repository = options.repository;
    this.resolver = options.resolver ?? defaultCookieResolver(this.repository.store);
    const repositoryInterval = this.repository.touchInterval;
    this.touchIntervalMs = options.touchIntervalMs ?? (repositoryInterval !== undefined && repositoryInterval > 0 ? repositoryInterval * 1000 : 60_000);
    if (!Number.isFinite(this.touchIntervalMs) || this.touchIntervalMs < 0) {
      throw new RangeError(`touchIntervalMs must be a non-negative number, got ${this.touchIntervalMs}`);
    }
    const store = this.repository.store;
    const emitsExpiry = typeof store?.onExpired === 'function' && (store.notifications === undefined || store.notifications === 'on');
    this.checkEveryMessage = options.checkEveryMessage ?? !emitsExpiry;
    this.logger = options.logger ?? ((message, error) => console.error(message, error));
    if (this.repository.on) {
      const end = (event: { sessionId: string }) => this.end(event.sessionId);
      this.unsubscribe.push(this.repository.on('deleted', end), this.repository.on('expired', end));
    }
  }

  /** The session an upgrade request was made under (no session is created), or null. */
  async sessionFor(request: { headers: Readonly<Record<string, string | string[] | undefined>>; socket?: unknown }): Promise<S | null> {
    const encrypted = (request.socket as { encrypted?: boolean } | undefined)?.encrypted === true;
    for (const id of this.resolver.resolve(resolverRequestFromRecord(request.headers, encrypted))) {
      const session = await this.repository.findById(id);
      if (session) return session;
    }
    return null;
  }

  /** Ties a socket to a session: its messages keep the session alive; its end closes the socket. */
  track(socket: KeptSocket, sessionId: string, session?: S): void {
    let entry = this.tracked.get(sessionId);
    if (!entry) {
      entry = { id: sessionId, sockets: new Set(), lastTouch: this.now(), expiresAt: null, pending: null, session: null };
      this.tracked.set(sessionId, entry);
    }
    if (session) this.remember(entry, session);
    entry.sockets.add(socket);
    const current = entry;
    socket.on('message', () => this.onMessage(current));
    socket.on('close', () => {
      current.sockets.delete(socket);
      if (current.sockets.size === 0 && this.tracked.get(current.id) === current) this.tracked.delete(current.id);
    });
  }

  /** How many sockets are tracked under the session. */
  socketsOf(sessionId: string): number {
    return this.tracked.get(sessionId)?.sockets.size ?? 0;
  }

  /** Closes every socket of the session with 1008 and forgets it. */
  end(sessionId: string): void {
    const entry = this.tracked.get(sessionId);
    if (!entry) return;
    this.tracked.delete(sessionId);
    for (const socket of entry.sockets) {
      // 0 CONNECTING, 1 OPEN: close; 2 CLOSING / 3 CLOSED: already going.
      if (socket.readyState <= 1) socket.close(SESSION_CLOSE_CODE, SESSION_CLOSE_REASON);
    }
    entry.sockets.clear();
  }

  /** Stops listening to repository events. Sockets stay open. */
  close(): void {
    for (const off of this.unsubscribe.splice(0)) off();
    this.tracked.clear();
  }

  private onMessage(entry: Tracked<S>): void {
    if (this.tracked.get(entry.id) !== entry || entry.pending) return;
    const now = this.now();
    const due = now - entry.lastTouch >= this.touchIntervalMs || (entry.expiresAt !== null && now >= entry.expiresAt);
    if (!due && !this.checkEveryMessage) return;
    entry.pending = (due ? this.touch(entry, now) : this.check(entry)).finally(() => {
      entry.pending = null;
    });
  }

  /** One store write: lastAccessedTime = now. Ends the sockets when the session is gone. */
  private async touch(entry: Tracked<S>, now: number): Promise<void> {
    entry.lastTouch = now;
    try {
      const session = await this.repository.findById(entry.id);
      if (!session) return this.end(entry.id);
      session.lastAccessedTime = now;
      if ((await this.repository.save(session)) === 'gone') return this.end(entry.id);
      this.remember(entry, session);
    } catch (error) {
      this.logger(`sessiongen: keeping session alive from a WebSocket message failed`, error);
    }
  }

  /** A read: is the session still there? */
  private async check(entry: Tracked<S>): Promise<void> {
    try {
      const session = await this.repository.findById(entry.id);
      if (!session) return this.end(entry.id);
      this.remember(entry, session);
    } catch (error) {
      this.logger(`sessiongen: checking a WebSocket's session failed`, error);
    }
  }

  private remember(entry: Tracked<S>, session: S): void {
    entry.session = session;
    // The earlier of its idle and its absolute timeout.
    entry.expiresAt = session.expiresAt;
  }

  private now(): number {
    return (this.repository.clock ?? Date.now)();
  }
}
