import { InvalidAttributeError, SessionConflictError } from '../core/errors.js';
import { recordedRejection, sessionFailureReply } from './failure-reply.js';
import type { TrustProxy } from './client.js';
import type { HeaderMutation, ResolverRequest, SessionIdResolver } from './id-resolver.js';
import { defaultLogger, integrationDefaults, type SessionLogger } from './integration-options.js';
import { RequestSession, SessionStoreUnavailableError, type AnySession, type SessionRepositoryLike } from './request-session.js';

export interface FetchSessionOptions<S extends AnySession> {
  repository: SessionRepositoryLike<S>;
  /** Where the id travels; default a `SESSION` cookie (`CookieSessionIdResolver`), in Spring's base64 form over a store with `compat: 'spring'`. */
  resolver?: SessionIdResolver;
  /** Status of the response when the store fails (loading or saving). Default 503. */
  storeErrorStatus?: number;
  /** Where store failures are reported. Default `console.error`. */
  logger?: SessionLogger;
  /**
   * Whether the request reached this server over TLS (for `Secure` with `secure: 'auto'`).
   * Default: the request URL's scheme is `https:` (what Node adapters such as @hono/node-server
   * set from the socket, and what edge runtimes report).
   */
  encrypted?: (request: Request) => boolean;
  /**
   * The address of the peer connected to this server, for the session's device (a Fetch `Request`
   * does not carry it): for @hono/node-server, `(request, env) => env.incoming.socket.remoteAddress`.
   * Default: unknown (only `X-Forwarded-For`, with `trustProxy`).
   */
  clientAddress?: (request: Request, ...rest: any[]) => string | undefined;
  /** Which proxies to believe about the client's address (`X-Forwarded-For`), for the session's device. Default false. */
  trustProxy?: TrustProxy;
}

/** A Fetch API handler that gets the request's lazy session beside the request. */
export type SessionFetchHandler<S extends AnySession, Rest extends unknown[]> = (
  request: Request,
  session: RequestSession<S>,
  ...rest: Rest
) => Response | Promise<Response>;

/**
 * The Fetch API integration, Spring's WebSession counterpart: `Request` in, `Response` out, for
 * Hono, Bun, Deno, Cloudflare Workers, Next.js route handlers and any web-standard server.
 *
 * The handler gets a lazy {@link RequestSession}; once it returned its `Response`, the session is
 * saved (before the response leaves, so a redirect cannot outrun the save) and the id header is
 * added. Extra arguments (Hono's `env` and execution context, say) are passed through.
 *
 * - A store failure, while the handler loads the session or while saving it, answers
 *   `storeErrorStatus` (503) with a JSON body instead of a response without its session. That
 *   holds when the framework caught the failure and answered 500 itself (Hono's default).
 * - A request that met a session conflict (its id changed by another request, or its session
 *   ended before its changes were stored) is answered 409 (with `Retry-After`) or 410 and a JSON
 *   body instead of the handler's response, without any cookie (see `sessionFailureReply`).
 * - An attribute `session.set` rejected answers 400 (`InvalidAttributeError`) or 413
 *   (`SessionLimitError`) with `{ error, path }`, whether the handler threw it or the framework
 *   caught it and answered 500 (Hono's default); the session is still saved.
 * - If the handler throws anything else, the session is still saved (as Spring's filter does in
 *   `finally`) and the error rethrown.
 *
 * ```ts
 * const fetch = withSession({ repository }, (request, session) => app.fetch(request, { session }));
 * ```
 */
export function withSession<S extends AnySession, Rest extends unknown[] = []>(
  options: FetchSessionOptions<S>,
  handler: SessionFetchHandler<S, Rest>,
): (request: Request, ...rest: Rest) => Promise<Response> {
  const repository = options.repository;
  const { resolver, storeErrorStatus, trustProxy } = integrationDefaults(options);
  const logger = options.logger ?? defaultLogger;
  const encrypted = options.encrypted ?? urlIsHttps;
  const clientAddress = options.clientAddress;

  return async function sessiongenFetch(request: Request, ...rest: Rest): Promise<Response> {
    const session = new RequestSession<S>({
      repository,
      resolver,
      request: fetchResolverRequest(request, encrypted(request), clientAddress?.(request, ...rest)),
      storeErrorStatus,
      trustProxy,
    });
    let response: Response;
    try {
      response = await handler(request, session, ...rest);
    } catch (error) {
      if (error instanceof SessionStoreUnavailableError) {
        logger(`sessiongen: the session store failed during ${request.method} ${request.url}; replying ${error.status}`, error);
        session.commit().catch(() => undefined);
        return sessionErrorResponse(error.status);
      }
      if (error instanceof SessionConflictError) {
        session.commit().catch(() => undefined);
        return failureResponse(error, storeErrorStatus);
      }
      if (!(error instanceof InvalidAttributeError)) {
        if (session.touched) await session.commit().catch(() => undefined);
        throw error;
      }
      response = rejectionResponse(error);
    }
    const rejected = response.status === 500 ? recordedRejection(session.peek()) : undefined;
    if (rejected) {
      await response.body?.cancel().catch(() => undefined);
      response = rejectionResponse(rejected);
    }
    const failure = session.storeFailure;
    if (failure && response.status === 500) {
      // The framework caught the store failure (Hono's default onError does) and made it a 500.
      logger(`sessiongen: the session store failed during ${request.method} ${request.url}; replying ${failure.status}`, failure);
      await response.body?.cancel().catch(() => undefined);
      session.commit().catch(() => undefined);
      return sessionErrorResponse(failure.status);
    }
    return commitToResponse(session, response, {
      onError: (error) => logger(`sessiongen: saving the session for ${request.method} ${request.url} failed; replying ${storeErrorStatus}`, error),
      errorStatus: storeErrorStatus,
    });
  };
}

/** A resolver view of a Fetch API request. */
export function fetchResolverRequest(request: Request, encrypted: boolean, remoteAddress?: string): ResolverRequest {
  const headers = request.headers;
  return {
    remoteAddress,
    header: (name) => {
      if (name.toLowerCase() === 'cookie') {
        // Several Cookie headers arrive joined with ', ' by Headers; a cookie pair never holds ','.
        const value = headers.get('cookie');
        return value === null ? undefined : value.split(', ').join('; ');
      }
      return headers.get(name) ?? undefined;
    },
    encrypted,
  };
}

/**
 * Commits the session and adds its headers to the response, copying the response when its
 * headers are immutable (`Response.redirect`, a `fetch` result). On a store failure, reports it
 * and answers `errorStatus` with a JSON body. For other Fetch-style frameworks' middleware.
 */
export async function commitToResponse(
  session: RequestSession<AnySession>,
  response: Response,
  options: { onError(error: unknown): void; errorStatus: number },
): Promise<Response> {
  if (!session.touched) {
    session.commit().catch(() => undefined);
    return response;
  }
  let added: HeaderMutation[];
  try {
    added = await session.commit();
  } catch (error) {
    if (!(error instanceof SessionConflictError)) options.onError(error);
    await response.body?.cancel().catch(() => undefined);
    return failureResponse(error, error instanceof SessionStoreUnavailableError ? error.status : options.errorStatus);
  }
  if (added.length === 0) return response;
  let target = response;
  try {
    for (const header of added) appendHeader(target.headers, header);
  } catch {
    // Immutable headers: copy the response (status, status text, headers, body) and retry.
    target = new Response(response.body, response);
    for (const header of added) appendHeader(target.headers, header);
  }
  return target;
}

function appendHeader(headers: Headers, header: HeaderMutation): void {
  if (header.name.toLowerCase() === 'set-cookie') headers.append('Set-Cookie', header.value);
  else headers.set(header.name, header.value);
}

/** The JSON response for a session conflict, a rejected attribute or a failed store call (`sessionFailureReply`). */
function failureResponse(error: unknown, status: number): Response {
  const reply = sessionFailureReply(error, status);
  return new Response(reply.body, { status: reply.status, headers: reply.headers });
}

/** The response to an attribute the session rejected: 400 or 413 with `{ error, path }`. */
export function rejectionResponse(error: InvalidAttributeError): Response {
  return failureResponse(error, error.status);
}

/** The JSON response for a failed store call. */
export function sessionErrorResponse(status: number): Response {
  return failureResponse(undefined, status);
}

function urlIsHttps(request: Request): boolean {
  return request.url.startsWith('https:');
}

