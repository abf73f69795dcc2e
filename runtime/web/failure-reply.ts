import { STATUS_CODES } from 'node:http';
import { InvalidAttributeError, SessionConflictError } from '../core/errors.js';
import type { AnySession } from './request-session.js';

/** The JSON reply an integration sends in place of the app's response when the session work failed. */
export interface SessionFailureReply {
  status: number;
  /** Lower-case names: `content-type`, `cache-control`, and `retry-after` when retrying helps. */
  headers: Record<string, string>;
  body: string;
}

/**
 * What every integration (Express, Fastify, Fetch) answers when a request's session work failed,
 * in one place:
 *
 * - an attribute `session.set` rejected ({@link InvalidAttributeError}): its status (400, or 413
 *   for `SessionLimitError`) and `{ error, path }`;
 * - a session conflict ({@link SessionConflictError}: the session id was changed by another
 *   request, or the session ended before this request's changes were stored): its status (409 with
 *   `Retry-After`, or 410) and `{ error, reason, status }`, where `reason` is `moved` or `ended`;
 *   never a `Set-Cookie`, so the cookie another request set stays;
 * - anything else (a store failure): `status` (the integration's `storeErrorStatus`, default 503)
 *   and `{ error, status }`.
 */
export function sessionFailureReply(error: unknown, status: number): SessionFailureReply {
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
  if (error instanceof InvalidAttributeError) {
    return { status: error.status, headers, body: JSON.stringify({ error: error.message, path: error.path }) };
  }
  if (error instanceof SessionConflictError) {
    if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.retryAfterSeconds);
    return { status: error.status, headers, body: JSON.stringify({ error: error.message, reason: error.reason, status: error.status }) };
  }
  return { status, headers, body: JSON.stringify({ error: status === 503 ? 'session store unavailable' : STATUS_CODES[status] ?? 'error', status }) };
}

/** The rejection a request's session recorded, for a framework that caught it and answered 500. */
export function recordedRejection(session: AnySession | null): InvalidAttributeError | undefined {
  return session?.lastRejection;
}
