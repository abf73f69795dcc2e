import type { SessionDescriptor } from '../../core/descriptor.js';
import { GeodeSessionStore, type GeodeStoreOptions } from './geode-store.js';
import type { GeodeSessionRegions } from './mapping.js';

/** Where the store looks when `GEODE_URL` is not set: a server's Developer REST API on this machine. */
export const DEFAULT_GEODE_URL = 'http://127.0.0.1:7070/geode/v1';

/**
 * Opens a Geode store from environment variables:
 * - `GEODE_URL`: the Developer REST API of one server, or a comma-separated list of servers of one
 *   cluster tried in turn when one cannot be reached (default {@link DEFAULT_GEODE_URL});
 * - `GEODE_REQUEST_TIMEOUT_MS`: how long one REST call may take (default 3000);
 * - `GEODE_SWEEP_INTERVAL_MS`: how often this instance sweeps (default 60000; 0 = never, for an
 *   instance that leaves the sweep, and so the expired events, to others).
 */
export function openGeodeStoreFromEnv(
  descriptor: SessionDescriptor,
  regions: GeodeSessionRegions,
  env: NodeJS.ProcessEnv = process.env,
  options: GeodeStoreOptions = {},
): Promise<GeodeSessionStore> {
  const storeOptions = { ...options };
  const timeout = milliseconds(env, 'GEODE_REQUEST_TIMEOUT_MS', 1);
  if (timeout !== undefined) storeOptions.requestTimeoutMs ??= timeout;
  const sweep = milliseconds(env, 'GEODE_SWEEP_INTERVAL_MS', 0);
  if (sweep !== undefined) storeOptions.sweepIntervalMs ??= sweep;
  return GeodeSessionStore.open(descriptor, regions, env.GEODE_URL || DEFAULT_GEODE_URL, storeOptions);
}

function milliseconds(env: NodeJS.ProcessEnv, name: string, min: number): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < min) throw new Error(`${name} must be a whole number of milliseconds of at least ${min}, got '${raw}'`);
  return ms;
}
