import { defaultCookieResolver } from './cookie-resolver.js';
import { checkTrustProxy, type TrustProxy } from './client.js';
import type { SessionIdResolver } from './id-resolver.js';

/** Where an integration reports store failures. */
export type SessionLogger = (message: string, error: unknown) => void;

/** The options every web integration (Express, Fastify, Fetch) shares, resolved and checked once. */
export interface IntegrationDefaults {
  resolver: SessionIdResolver;
  storeErrorStatus: number;
  /** Which proxies to believe about the client's address, for the session's device (see {@link TrustProxy}). */
  trustProxy: TrustProxy;
}

/**
 * The resolver defaults to a cookie in the store's form: Spring's base64 `SESSION` cookie over a
 * store that shares Spring's layout (`store.compat === 'spring'`), the plain id otherwise.
 */
export function integrationDefaults(options: {
  resolver?: SessionIdResolver;
  storeErrorStatus?: number;
  repository?: { readonly store?: { readonly compat?: string } };
  trustProxy?: TrustProxy;
}): IntegrationDefaults {
  const storeErrorStatus = options.storeErrorStatus ?? 503;
  if (!Number.isInteger(storeErrorStatus) || storeErrorStatus < 400 || storeErrorStatus > 599) {
    throw new RangeError(`storeErrorStatus must be an HTTP error status, got ${storeErrorStatus}`);
  }
  return {
    resolver: options.resolver ?? defaultCookieResolver(options.repository?.store),
    storeErrorStatus,
    trustProxy: checkTrustProxy(options.trustProxy ?? false),
  };
}

export function defaultLogger(message: string, error: unknown): void {
  console.error(message, error);
}
