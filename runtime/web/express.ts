import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { InvalidAttributeError, SessionConflictError } from '../core/errors.js';
import type { RegisteredSession } from '../core/session-types.js';
import { sessionFailureReply, type SessionFailureReply } from './failure-reply.js';
import type { TrustProxy } from './client.js';
import type { HeaderMutation, ResolverRequest, SessionIdResolver } from './id-resolver.js';
import { defaultLogger, integrationDefaults, type SessionLogger } from './integration-options.js';
import { attachSession, expressPrototypes, holdThroughPrototype, type HeldMethod } from './express-prototypes.js';
import { RequestSession, SessionStoreUnavailableError, type AnySession, type SessionRepositoryLike } from './request-session.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by sessiongen's `sessionMiddleware`. */
      session: RequestSession<RegisteredSession>;
    }
  }
}

/** A Node request after `sessionMiddleware` ran (for Connect apps and non-global typing). */
export type SessionRequest<S extends AnySession = RegisteredSession> = IncomingMessage & {
  session: RequestSession<S>;
};

export type { SessionLogger } from './integration-options.js';
export type { RegisteredSession, SessionTypeRegister } from '../core/session-types.js';

export interface SessionMiddlewareOptions<S extends AnySession> {
  repository: SessionRepositoryLike<S>;
  /** Where the id travels; default a `SESSION` cookie (`CookieSessionIdResolver`), in Spring's base64 form over a store with `compat: 'spring'`. */
  resolver?: SessionIdResolver;
  /** Status of the reply when the store fails while saving the session. Default 503. */
  storeErrorStatus?: number;
  /** Where store failures are reported. Default `console.error`. */
  logger?: SessionLogger;
  /** Which proxies to believe about the client's address (`X-Forwarded-For`), for the session's device. Default false. */
  trustProxy?: TrustProxy;
}

/** The requests the middleware already gave a session (when mounted twice, the first one stands). */
const applied = new WeakSet<IncomingMessage>();

/**
 * Express/Connect middleware: puts a lazy {@link RequestSession} on `req.session` and saves the
 * session before the response headers go out. The first of `writeHead`, `write`, `end` and
 * `flushHeaders` starts the commit; those calls are held and replayed in order once the save
 * landed and the id header was added, so a redirect cannot reach the client before the save.
 * If the save fails the held response is replaced by `storeErrorStatus` with a JSON body; if the
 * request met a session conflict (its id changed by another request, or its session ended before
 * its changes were stored), by 409/410 JSON (see `sessionFailureReply`), without any cookie.
 */
export function sessionMiddleware<S extends AnySession = RegisteredSession>(
  options: SessionMiddlewareOptions<S>,
): (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void {
  const repository = options.repository;
  const { resolver, storeErrorStatus, trustProxy } = integrationDefaults(options);
  const logger = options.logger ?? defaultLogger;

  return function sessiongenSession(req, res, next) {
    if (applied.has(req)) return next();
    applied.add(req);
    const request: ResolverRequest = {
      header: (name) => req.headers[name.toLowerCase()],
      encrypted: (req.socket as TLSSocket | undefined)?.encrypted === true,
      remoteAddress: req.socket?.remoteAddress,
    };
    // The response is watched only once the app touches the session: a request that never does
    // costs neither a store call nor any patching of the response.
    const session: RequestSession<S> = new RequestSession<S>({
      repository,
      resolver,
      request,
      storeErrorStatus,
      trustProxy,
      onFirstTouch: () => {
        if (res.headersSent) {
          // Too late to save before the headers: seal it, as Spring does for a committed response.
          session.commit().catch(() => undefined);
          return;
        }
        holdResponseUntilCommitted(res, {
          commit: () => session.commit(),
          onError: (error) => {
            // A conflict is another request's doing, not a failure: answered, not reported.
            if (error instanceof SessionConflictError) return;
            logger(`sessiongen: saving the session for ${req.method} ${req.url} failed; replying ${storeErrorStatus}`, error);
          },
          errorStatus: storeErrorStatus,
        });
      },
    });
    attachSession(req, session, expressPrototypes(req, res) !== undefined);
    next();
  };
}

/**
 * Express error middleware that answers a failed session store call
 * ({@link SessionStoreUnavailableError}, e.g. a load during `req.session.get()`) or a session
 * conflict ({@link SessionConflictError}: 409 with `Retry-After` for a session id another request
 * changed, 410 for a session that ended) with its status and a JSON body in place of anything the
 * app set, and an attribute `session.set` rejected with 400 (`InvalidAttributeError`) or 413
 * (`SessionLimitError`) and `{ error, path }` (see `sessionFailureReply`); other errors go on to
 * the next error handler. Mount it before error handlers that answer any error with a `status`.
 */
export function sessionErrorHandler(): (err: unknown, req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void {
  return function sessiongenErrorHandler(err, _req, res, next) {
    if (res.headersSent) return next(err);
    if (err instanceof InvalidAttributeError) {
      // The app's own error: the headers it set so far stay.
      writeReply(res, sessionFailureReply(err, err.status), (body, done) => res.end(body, done));
      return;
    }
    if (!(err instanceof SessionStoreUnavailableError || err instanceof SessionConflictError)) return next(err);
    sendJsonError(res, err, err.status, (body, done) => res.end(body, done));
  };
}

type Held = HeldMethod;
type AnyMethod = (...args: unknown[]) => unknown;

interface HoldOptions {
  /** Starts the commit: saves the session and gives the headers to add. */
  commit(): Promise<HeaderMutation[]>;
  onError(error: unknown): void;
  errorStatus: number;
}

/**
 * One response held until its session is committed: the methods it stands in front of, the calls
 * held, and where the commit is. Under Express the hooks on its prototypes hand it the calls (see
 * express-prototypes.ts); elsewhere it sets the four methods on the response, by name.
 */
class HeldResponse {
  state: 'open' | 'committing' | 'done' = 'open';
  readonly held: Array<{ name: Held; args: unknown[] }> = [];
  readonly writeHead: AnyMethod;
  readonly write: AnyMethod;
  readonly end: AnyMethod;
  readonly flushHeaders: AnyMethod;

  constructor(
    readonly res: ServerResponse,
    readonly options: HoldOptions,
  ) {
    // Under Express, the hooks on its prototypes hand the calls over: nothing is added to `res`.
    const bases = holdThroughPrototype(res, this);
    const methods = res as unknown as Record<Held, AnyMethod>;
    this.writeHead = bases?.writeHead ?? methods.writeHead;
    this.write = bases?.write ?? methods.write;
    this.end = bases?.end ?? methods.end;
    this.flushHeaders = bases?.flushHeaders ?? methods.flushHeaders;
    if (bases) return;
    const hold = this;
    methods.writeHead = function writeHead(this: ServerResponse, ...args: unknown[]) {
      return hold.invoke(this, 'writeHead', args);
    };
    methods.write = function write(this: ServerResponse, ...args: unknown[]) {
      return hold.invoke(this, 'write', args);
    };
    methods.end = function end(this: ServerResponse, ...args: unknown[]) {
      return hold.invoke(this, 'end', args);
    };
    methods.flushHeaders = function flushHeaders(this: ServerResponse, ...args: unknown[]) {
      return hold.invoke(this, 'flushHeaders', args);
    };
  }

  invoke(target: ServerResponse, name: Held, args: unknown[]): unknown {
    // Once committed, and for Node's own nested calls during the replay, pass straight through.
    if (this.state === 'done') return this[name].apply(target, args);
    this.held.push({ name, args });
    if (this.state === 'open') {
      this.state = 'committing';
      let pending: Promise<HeaderMutation[]>;
      try {
        pending = this.options.commit();
      } catch (error) {
        pending = Promise.reject(error);
      }
      pending.then(
        (added) => this.committed(added),
        (error) => this.failed(error),
      );
    }
    if (name === 'write') return true;
    if (name === 'flushHeaders') return undefined;
    return target;
  }

  private committed(added: HeaderMutation[]): void {
    const res = this.res;
    this.state = 'done';
    try {
      if (!res.headersSent) for (const header of added) addHeader(res, header);
      for (const call of this.held.splice(0)) {
        const args = call.name === 'writeHead' && added.length > 0 ? mergeWriteHeadCookies(res, call.args) : call.args;
        this[call.name].apply(res, args);
      }
    } catch (error) {
      // The app's own call would have thrown (e.g. an invalid status code); report, never hang.
      this.options.onError(error);
      this.held.length = 0;
      if (!res.headersSent) sendJsonError(res, undefined, 500, (body, done) => this.end.call(res, body, done));
      else res.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private failed(error: unknown): void {
    const res = this.res;
    this.state = 'done';
    this.options.onError(error);
    const calls = this.held.splice(0);
    const writeCallbacks: AnyMethod[] = [];
    const endCallbacks: AnyMethod[] = [];
    for (const call of calls) {
      const last = call.args[call.args.length - 1];
      if (typeof last !== 'function') continue;
      (call.name === 'end' ? endCallbacks : writeCallbacks).push(last as AnyMethod);
    }
    const failure = error instanceof Error ? error : new Error(String(error));
    for (const callback of writeCallbacks) process.nextTick(callback, failure);
    if (res.headersSent) {
      res.destroy(failure);
      return;
    }
    sendJsonError(res, error, this.options.errorStatus, (body, done) =>
      this.end.call(res, body, () => {
        done();
        for (const callback of endCallbacks) callback();
      }),
    );
  }
}

/**
 * Patches the response so the first header-sending call waits for `commit`, then adds the
 * returned headers and replays the held calls in order. Exported for other Node-level adapters.
 */
export function holdResponseUntilCommitted(res: ServerResponse, options: HoldOptions): void {
  new HeldResponse(res, options);
}

function addHeader(res: ServerResponse, header: HeaderMutation): void {
  if (header.name.toLowerCase() === 'set-cookie') res.appendHeader('Set-Cookie', header.value);
  else res.setHeader(header.name, header.value);
}

/**
 * `writeHead(status, [message], headers)` replaces `Set-Cookie` with the one in `headers`; keep
 * the app's cookies and the session cookie both.
 */
function mergeWriteHeadCookies(res: ServerResponse, args: unknown[]): unknown[] {
  const at = typeof args[1] === 'string' ? 2 : 1;
  const headers = args[at];
  if (!headers || typeof headers !== 'object') return args;
  const ours = res.getHeader('set-cookie');
  if (ours === undefined) return args;
  const theirs: string[] = [];
  let rest: unknown;
  if (Array.isArray(headers)) {
    const pairs: Array<[unknown, unknown]> = Array.isArray(headers[0])
      ? (headers as Array<[unknown, unknown]>)
      : Array.from({ length: Math.floor(headers.length / 2) }, (_, i) => [headers[2 * i], headers[2 * i + 1]] as [unknown, unknown]);
    const kept: Array<[unknown, unknown]> = [];
    for (const [key, value] of pairs) {
      if (String(key).toLowerCase() === 'set-cookie') theirs.push(...([] as unknown[]).concat(value).map(String));
      else kept.push([key, value]);
    }
    if (theirs.length === 0) return args;
    rest = Array.isArray(headers[0]) ? kept : kept.flat();
  } else {
    const record = headers as Record<string, unknown>;
    const kept: Record<string, unknown> = {};
    for (const key of Object.keys(record)) {
      if (key.toLowerCase() === 'set-cookie') {
        if (record[key] !== undefined) theirs.push(...([] as unknown[]).concat(record[key]).map(String));
      } else {
        kept[key] = record[key];
      }
    }
    if (theirs.length === 0) return args;
    rest = kept;
  }
  res.setHeader('Set-Cookie', [...theirs, ...([] as unknown[]).concat(ours).map(String)]);
  const copy = [...args];
  copy[at] = rest;
  return copy;
}

/** Replaces whatever the app set with the JSON failure reply (`sessionFailureReply`). */
function sendJsonError(res: ServerResponse, error: unknown, status: number, end: (body: string, done: () => void) => void): void {
  for (const name of res.getHeaderNames()) res.removeHeader(name);
  writeReply(res, sessionFailureReply(error, status), end);
}

/** Sends a failure reply: its status, headers and JSON body. */
function writeReply(res: ServerResponse, reply: SessionFailureReply, end: (body: string, done: () => void) => void): void {
  res.statusCode = reply.status;
  res.statusMessage = STATUS_CODES[reply.status] ?? '';
  for (const [name, value] of Object.entries(reply.headers)) res.setHeader(name, value);
  res.setHeader('Content-Length', Buffer.byteLength(reply.body));
  end(reply.body, () => undefined);
}

