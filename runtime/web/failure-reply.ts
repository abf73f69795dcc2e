import { STATUS_CODES } from 'node:http';
import { SessionConflictError } from '../core/errors.js';

/** The JSON reply an integration sends in place of the app's response when the session work failed. */
export interface SessionFailureReply {
  status: number;
  /** Lower-case names: `content-type`, `cache-control`, and `retry-after` when retrying helps. */
  headers: Record<string, string>;
  body: string;
}

/**
 * What every integration (Express, Fastify, Fetch) answers instead of the app's response:
 *
 * - a session conflict ({@link SessionConflictError}: the session id was changed by another
 *   request, or the session ended before this request's changes were stored): its status (409 with
 *   `Retry-After`, or 410) and `{ error, reason, status }`, where `reason` is `moved` or `ended`;
 *   never a `Set-Cookie`, so the cookie another request set stays;
 * - anything else (a store failure): `status` (the integration's `storeErrorStatus`, default 503)
 *   and `{ error, status }`.
 */
export function sessionFailureReply(error: unknown, status: number): SessionFailureReply {
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
  if (error instanceof SessionConflictError) {
    if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.retryAfterSeconds);
    return { status: error.status, headers, body: JSON.stringify({ error: error.message, reason: error.reason, status: error.status }) };
  }
  return { status, headers, body: JSON.stringify({ error: status === 503 ? 'session store unavailable' : STATUS_CODES[status] ?? 'error', status }) };
}
