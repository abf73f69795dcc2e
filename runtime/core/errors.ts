/**
 * Thrown by `Session.set` when a name or value does not fit the schema, or is a value some store
 * cannot hold (a string with U+0000 or a lone surrogate); nothing is written. Its `status` (400)
 * is what the web integrations answer, with `{ error, path }`.
 */
export class InvalidAttributeError extends Error {
  override readonly name: string = 'InvalidAttributeError';
  /** The HTTP status the web integrations answer with (Express and Fastify read `status`/`statusCode`). */
  readonly status: number = 400;
  readonly statusCode: number = 400;
  constructor(
    /** The attribute name as given. */
    readonly attribute: string,
    /** JSON pointer to the offending part, starting with the attribute: `/cart/0/quantity`. */
    readonly path: string,
    readonly reason: string,
  ) {
    super(`invalid attribute '${attribute}' at ${path}: ${reason}`);
  }
}

/** Which bound a write would cross: the session's serialized size, or a pattern family's count. */
export type SessionLimit = 'maxSessionBytes' | 'maxAttributes';

/**
 * Thrown by `Session.set` when the value is valid but storing it would take the session past a
 * limit of the schema (`x-sessiongen.maxSessionBytes`, `x-sessiongen.maxPatternAttributes`);
 * nothing is written. The web integrations answer 413 with `{ error, path }`.
 */
export class SessionLimitError extends InvalidAttributeError {
  override readonly name: string = 'SessionLimitError';
  override readonly status: number = 413;
  override readonly statusCode: number = 413;
  constructor(
    attribute: string,
    path: string,
    /** The limit the write would cross. */
    readonly limit: SessionLimit,
    /** The limit's value: bytes, or attributes of the family. */
    readonly max: number,
    /** What the session would have had after the write. */
    readonly wouldBe: number,
  ) {
    super(
      attribute,
      path,
      limit === 'maxSessionBytes'
        ? `the session would take ${wouldBe} bytes, over its limit of ${max}`
        : `the session would hold ${wouldBe} attributes of this family, over its limit of ${max}`,
    );
  }
}

/** A store call failed (connection lost, server error); the message says which store and why. */
export class SessionStoreError extends Error {
  override readonly name = 'SessionStoreError';
  constructor(store: string, operation: string, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(`${store} store: ${operation} failed: ${why}`, { cause });
  }
}

/** A store or integration needs a package the app has not installed (drivers are optional peer dependencies). */
export class MissingDependencyError extends Error {
  override readonly name = 'MissingDependencyError';
  constructor(
    /** The npm package to install, such as `ioredis`. */
    readonly packageName: string,
    /** What needs it, such as `the Redis store`. */
    readonly neededBy: string,
  ) {
    super(`${neededBy} needs the '${packageName}' package, which is not installed: run \`npm install ${packageName}\``);
  }
}

/**
 * Another request changed the session under this one, so this request's session work did not
 * happen. Carries the HTTP status the web integrations answer with (`status`, `statusCode`).
 * Nothing was read from or written to the session, and no session was created for the request.
 */
export abstract class SessionConflictError extends Error {
  abstract readonly reason: 'moved' | 'ended';
  abstract readonly status: number;
  /** Seconds after which the same request may succeed (`Retry-After`), when it may. */
  abstract readonly retryAfterSeconds: number | undefined;
  get statusCode(): number {
    return this.status;
  }
  readonly expose = true;
}

/**
 * The request's session id was changed by another request (a login) a moment ago: the request came
 * with the old id, or it tried to change the id itself and lost. The client gets the new id with
 * the other request's response, so retrying soon succeeds: 409 with `Retry-After`.
 */
export class SessionMovedError extends SessionConflictError {
  override readonly name = 'SessionMovedError';
  readonly reason = 'moved' as const;
  readonly status = 409;
  readonly retryAfterSeconds = 1;
  constructor() {
    super('the session id was changed by another request; retry with the new id');
  }
}

/**
 * The request changed its session, but the session was deleted (logout, revoke) or expired before
 * the change could be stored: nothing was stored. Retrying would start a new session: 410.
 */
export class SessionEndedError extends SessionConflictError {
  override readonly name = 'SessionEndedError';
  readonly reason = 'ended' as const;
  readonly status = 410;
  readonly retryAfterSeconds = undefined;
  constructor() {
    super('the session ended before this request\'s changes were stored; nothing was stored');
  }
}
