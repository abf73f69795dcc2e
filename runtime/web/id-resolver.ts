/**
 * Session id resolvers: where a request carries its session id and how a response hands a new
 * one back (Spring Session's `HttpSessionIdResolver`). They only read headers and return header
 * pairs, so one resolver serves Express, Fastify and Fetch API servers alike.
 */

/**
 * At most this many of a request's candidate session ids are looked up in the store, whatever the
 * client sends (each costs a lookup): the cookie resolver returns no more, and the per-request
 * session tries no more, skipping ids the id generator could not have made without a lookup.
 */
export const MAX_SESSION_ID_CANDIDATES = 3;

/** Reads one request header by name (any case); arrays when the header was sent several times. */
export type HeaderGetter = (name: string) => string | string[] | undefined;

/** What a resolver may know about the request. */
export interface ResolverRequest {
  /** The request's headers. */
  readonly header: HeaderGetter;
  /** True when the connection to this server is TLS (not what a proxy says). */
  readonly encrypted: boolean;
  /** The address of the peer connected to this server (a proxy, when there is one), where the integration knows it. */
  readonly remoteAddress?: string | undefined;
}

/** One response header to add. Integrations append (never replace) `Set-Cookie`. */
export interface HeaderMutation {
  readonly name: string;
  readonly value: string;
}

export interface SessionIdResolver {
  /**
   * The candidate session ids the request carries, in order (first found wins). Only syntactically
   * plausible strings; the repository still checks each with its id generator before a store sees
   * it. Never throws.
   */
  resolve(request: ResolverRequest): string[];
  /** The headers that hand `id` to the client (a new session or a changed id). */
  write(id: string, request: ResolverRequest): HeaderMutation[];
  /** The headers that make the client forget its session id (after invalidate). */
  expire(request: ResolverRequest): HeaderMutation[];
}

/** A request from a plain header record such as Node's `req.headers` (keys lower-case). */
export function resolverRequestFromRecord(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  encrypted: boolean,
): ResolverRequest {
  return {
    header: (name) => headers[name.toLowerCase()],
    encrypted,
  };
}

/** The first value of a header that may have been sent several times. */
export function firstHeaderValue(value: string | string[] | undefined): string | undefined {
  if (Array.isArray(value)) return typeof value[0] === 'string' ? value[0] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** Reads the header, never throwing (a getter supplied by an integration might). */
export function readHeader(request: ResolverRequest, name: string): string | string[] | undefined {
  try {
    const value = request.header(name);
    if (typeof value === 'string') return value;
    if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
    return undefined;
  } catch {
    return undefined;
  }
}
