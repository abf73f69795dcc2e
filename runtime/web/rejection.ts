import type { InvalidAttributeError } from '../core/errors.js';
import type { AnySession } from './request-session.js';

/**
 * The body every web integration answers an attribute the session rejected with, under the
 * error's `status` (400 for a value the schema or a store rejects, 413 for `SessionLimitError`).
 */
export function rejectionBody(error: InvalidAttributeError): string {
  return JSON.stringify({ error: error.message, path: error.path });
}

/** The rejection a request's session recorded, for a framework that caught it and answered 500. */
export function recordedRejection(session: AnySession | null): InvalidAttributeError | undefined {
  return session?.lastRejection;
}
