import type { TLSSocket } from 'node:tls';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { InvalidAttributeError, SessionConflictError } from '../core/errors.js';
import type { RegisteredSession } from '../core/session-types.js';
import { sessionFailureReply } from './failure-reply.js';
import type { TrustProxy } from './client.js';
import type { HeaderMutation, ResolverRequest, SessionIdResolver } from './id-resolver.js';
import { integrationDefaults, type SessionLogger } from './integration-options.js';
import { RequestSession, type AnySession, type SessionRepositoryLike } from './request-session.js';

/**
 * Generated code (or the app) may register a session type for Fastify apps alone. When nothing is
 * registered here, `request.session` uses the type registered in the core
 * (`SessionTypeRegister`), so one registration types every integration.
 *
 * ```ts
 * declare module '@sessiongen/runtime/fastify' {
 *   interface FastifySessionRegister { session: AppSession }
 * }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface FastifySessionRegister {}

export type RegisteredFastifySession = FastifySessionRegister extends { session: infer S extends AnySession }
  ? S
  : RegisteredSession;

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by sessiongen's `fastifySession` plugin: the lazy per-request session. */
    session: RequestSession<RegisteredFastifySession>;
  }
}

export interface FastifySessionOptions<S extends AnySession = RegisteredFastifySession> {
  repository: SessionRepositoryLike<S>;
  /** Where the id travels; default a `SESSION` cookie (`CookieSessionIdResolver`), in Spring's base64 form over a store with `compat: 'spring'`. */
  resolver?: SessionIdResolver;
  /** Status of the reply when the store fails while saving the session. Default 503. */
  storeErrorStatus?: number;
  /** Where save failures are reported. Default the request's logger (`request.log.error`). */
  logger?: SessionLogger;
  /** Which proxies to believe about the client's address (`X-Forwarded-For`), for the session's device. Default false. */
  trustProxy?: TrustProxy;
}

const FAILED = Symbol('sessiongen.fastify.commitFailed');
const REJECTED = Symbol('sessiongen.fastify.rejectedAttribute');


/**
 * The Fastify plugin (fastify-plugin conventions: not encapsulated, so `request.session` exists in
 * every route of the instance it is registered on; named `sessiongen`; Fastify 5).
 *
 * - `onRequest` puts a lazy {@link RequestSession} on `request.session`; a route that never
 *   touches it costs no store call.
 * - `onSend` awaits the save before Fastify writes the headers (so a redirect cannot outrun it)
 *   and adds the id header (`Set-Cookie` appended, never replacing the app's cookies).
 * - A failed save replaces the reply with `storeErrorStatus` (503) and a JSON body. A failed load
 *   inside a route throws `SessionStoreUnavailableError`, whose `statusCode` (503) Fastify's error
 *   handler honours.
 * - A request that met a session conflict (its id changed by another request, or its session ended
 *   before its changes were stored) is answered 409 (with `Retry-After`) or 410 and a JSON body,
 *   whatever the route replied, and without any cookie (see `sessionFailureReply`).
 * - An attribute `session.set` rejected, thrown out of a route, answers 400
 *   (`InvalidAttributeError`) or 413 (`SessionLimitError`) with `{ error, path }`.
 *
 * ```ts
 * await app.register(fastifySession, { repository });
 * app.get('/', async (request) => (await request.session.get()).id);
 * ```
 */
export const fastifySession: FastifyPluginAsync<FastifySessionOptions<any>> = async function sessiongenFastifySession(instance, options) {
  const repository = options.repository;
  if (!repository) throw new TypeError('fastifySession needs a repository');
  const { resolver, storeErrorStatus, trustProxy } = integrationDefaults(options);

  instance.decorateRequest('session', null as unknown as RequestSession<RegisteredFastifySession>);

  // Hooks in callback form: Fastify runs them without a promise per hook and per request.
  instance.addHook('onRequest', (request: FastifyRequest, _reply: FastifyReply, done: () => void) => {
    const raw = request.raw;
    const resolverRequest: ResolverRequest = {
      header: (name) => raw.headers[name.toLowerCase()],
      encrypted: (raw.socket as TLSSocket | undefined)?.encrypted === true,
      remoteAddress: raw.socket?.remoteAddress,
    };
    request.session = new RequestSession({ repository, resolver, request: resolverRequest, storeErrorStatus, trustProxy }) as never;
    done();
  });

  instance.addHook('onError', (request: FastifyRequest & { [REJECTED]?: InvalidAttributeError }, _reply: FastifyReply, error: unknown, done: () => void) => {
    if (error instanceof InvalidAttributeError) request[REJECTED] = error;
    done();
  });

  instance.addHook(
    'onSend',
    (
      request: FastifyRequest & { [FAILED]?: true; [REJECTED]?: InvalidAttributeError },
      reply: FastifyReply,
      payload: unknown,
      done: (err: Error | null, payload?: unknown) => void,
    ) => {
      const rejected = request[REJECTED];
      if (rejected && reply.statusCode === rejected.status) {
        // Fastify's error reply has no `path`: answer as every integration does.
        const failure = sessionFailureReply(rejected, rejected.status);
        for (const [name, value] of Object.entries(failure.headers)) reply.header(name, value);
        payload = failure.body;
      }
      const session = request.session as RequestSession<AnySession> | null;
      if (!session || request[FAILED]) return done(null, payload);
      if (!session.touched) {
        // Never touched: seal it (no store call) so later calls cannot create a session.
        session.commit().catch(() => undefined);
        return done(null, payload);
      }
      session.commit().then(
        (added: HeaderMutation[]) => {
          try {
            for (const header of added) reply.header(header.name, header.value);
          } catch (error) {
            return done(error as Error);
          }
          done(null, payload);
        },
        (error: unknown) => {
          request[FAILED] = true;
          let body: string;
          try {
            if (!(error instanceof SessionConflictError)) {
              const message = `sessiongen: saving the session for ${request.method} ${request.url} failed; replying ${storeErrorStatus}`;
              if (options.logger) options.logger(message, error);
              else request.log.error({ err: error }, message);
            }
            body = replaceWithError(reply, error, storeErrorStatus);
          } catch (thrown) {
            return done(thrown as Error);
          }
          done(null, body);
        },
      );
    },
  );
};

// fastify-plugin's conventions, without a runtime dependency on it.
Object.assign(fastifySession, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: 'sessiongen',
  [Symbol.for('plugin-meta')]: { name: 'sessiongen', fastify: '5.x' },
});

function replaceWithError(reply: FastifyReply, error: unknown, status: number): string {
  for (const name of Object.keys(reply.getHeaders())) reply.removeHeader(name);
  const failure = sessionFailureReply(error, status);
  reply.code(failure.status);
  for (const [name, value] of Object.entries(failure.headers)) reply.header(name, value);
  return failure.body;
}
