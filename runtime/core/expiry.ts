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

/**
 * The instant a session ends, with an absolute timeout beside the idle one: the earlier of
 * `lastAccessedTime + maxInactiveInterval` and `creationTime + absoluteTimeout` (each when it
 * applies), or null when neither does. Stores expire a session at this instant (`SessionWrite.expiresAt`).
 */
export function sessionExpiresAt(
  creationTime: number,
  lastAccessedTime: number,
  maxInactiveInterval: number,
  absoluteTimeout: number | undefined,
): number | null {
  const idle = expiresAt(lastAccessedTime, maxInactiveInterval);
  if (absoluteTimeout === undefined) return idle;
  const absolute = creationTime + absoluteTimeout * 1000;
  return idle === null ? absolute : Math.min(idle, absolute);
}

/** Whether a session is past its idle or its absolute timeout at `now`; `'absolute'` or `'idle'` says which, false when neither. */
export function expiredBy(
  creationTime: number,
  lastAccessedTime: number,
  maxInactiveInterval: number,
  absoluteTimeout: number | undefined,
  now: number,
): 'idle' | 'absolute' | false {
  if (absoluteTimeout !== undefined && now >= creationTime + absoluteTimeout * 1000) return 'absolute';
  return isExpired(lastAccessedTime, maxInactiveInterval, now) ? 'idle' : false;
}

/** Throws a RangeError unless `seconds` is a whole number from 1 to {@link MAX_INACTIVE_INTERVAL}. */
export function checkAbsoluteTimeout(seconds: number, what = 'absoluteTimeout'): number {
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_INACTIVE_INTERVAL) {
    throw new RangeError(`${what} must be whole seconds from 1 to ${MAX_INACTIVE_INTERVAL} (10 years), got ${seconds}`);
  }
  return seconds;
}
