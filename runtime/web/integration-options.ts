import { CookieSessionIdResolver } from './cookie-resolver.js';
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

export function integrationDefaults(options: { resolver?: SessionIdResolver; storeErrorStatus?: number; trustProxy?: TrustProxy }): IntegrationDefaults {
  const storeErrorStatus = options.storeErrorStatus ?? 503;
  if (!Number.isInteger(storeErrorStatus) || storeErrorStatus < 400 || storeErrorStatus > 599) {
    throw new RangeError(`storeErrorStatus must be an HTTP error status, got ${storeErrorStatus}`);
  }
  return { resolver: options.resolver ?? new CookieSessionIdResolver(), storeErrorStatus, trustProxy: checkTrustProxy(options.trustProxy ?? false) };
}

export function defaultLogger(message: string, error: unknown): void {
  console.error(message, error);
}
