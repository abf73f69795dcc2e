/** Spring Session's rule: negative never expires; otherwise expired once `now - interval >= lastAccessed`. */
export function isExpired(lastAccessedTime: number, maxInactiveInterval: number, now: number): boolean {
  if (maxInactiveInterval < 0) return false;
  return now - maxInactiveInterval * 1000 >= lastAccessedTime;
}

/** The instant a session expires, or null when it never does. */
export function expiresAt(lastAccessedTime: number, maxInactiveInterval: number): number | null {
  return maxInactiveInterval < 0 ? null : lastAccessedTime + maxInactiveInterval * 1000;
}

/**
 * The longest timeout a session may have: 10 years in seconds. Every store holds it (the SQL
 * column is a 32-bit INT; Redis and Hazelcast TTLs are 64-bit milliseconds); the meta-schema
 * bounds `x-sessiongen.maxInactiveInterval` the same way.
 */
export const MAX_INACTIVE_INTERVAL = 315_360_000;

/** Throws a RangeError unless `seconds` is a whole number from -1 (never expires) to {@link MAX_INACTIVE_INTERVAL}. */
export function checkMaxInactiveInterval(seconds: number, what = 'maxInactiveInterval'): number {
  if (!Number.isInteger(seconds) || seconds < -1 || seconds > MAX_INACTIVE_INTERVAL) {
    throw new RangeError(`${what} must be whole seconds from -1 (never expires) to ${MAX_INACTIVE_INTERVAL} (10 years), got ${seconds}`);
  }
  return seconds;
}
