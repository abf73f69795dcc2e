/** Spring Session's rule: negative never expires; otherwise expired once `now - interval >= lastAccessed`. */
export function isExpired(lastAccessedTime: number, maxInactiveInterval: number, now: number): boolean {
  if (maxInactiveInterval < 0) return false;
  return now - maxInactiveInterval * 1000 >= lastAccessedTime;
}

/** The instant a session expires, or null when it never does. */
export function expiresAt(lastAccessedTime: number, maxInactiveInterval: number): number | null {
  return maxInactiveInterval < 0 ? null : lastAccessedTime + maxInactiveInterval * 1000;
}
