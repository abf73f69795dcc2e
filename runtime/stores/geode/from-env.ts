import type { SessionDescriptor } from '../../core/descriptor.js';
import { GeodeSessionStore, type GeodeStoreOptions } from './geode-store.js';
import type { GeodeSessionRegions } from './mapping.js';

/** Where the store looks when `GEODE_URL` is not set: a server's Developer REST API on this machine. */
export const DEFAULT_GEODE_URL = 'http://127.0.0.1:7070/geode/v1';

/**
 * Opens a Geode store from environment variables:
 * - `GEODE_URL`: the Developer REST API of one server, or a comma-separated list of servers of one
 *   cluster tried in turn when one cannot be reached (default {@link DEFAULT_GEODE_URL});
 * - `GEODE_REQUEST_TIMEOUT_MS`: how long one REST call may take (default 3000).
 */
export function openGeodeStoreFromEnv(
  descriptor: SessionDescriptor,
  regions: GeodeSessionRegions,
  env: NodeJS.ProcessEnv = process.env,
  options: GeodeStoreOptions = {},
): Promise<GeodeSessionStore> {
  const timeout = env.GEODE_REQUEST_TIMEOUT_MS;
  const storeOptions = { ...options };
  if (timeout !== undefined) {
    const ms = Number(timeout);
    if (!Number.isInteger(ms) || ms <= 0) throw new Error(`GEODE_REQUEST_TIMEOUT_MS must be a positive whole number of milliseconds, got '${timeout}'`);
    storeOptions.requestTimeoutMs ??= ms;
  }
  return GeodeSessionStore.open(descriptor, regions, env.GEODE_URL || DEFAULT_GEODE_URL, storeOptions);
}
