/** Thrown by `Session.set` when a name or value does not fit the schema; nothing is written. */
export class InvalidAttributeError extends Error {
  override readonly name = 'InvalidAttributeError';
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

/** A store call failed (connection lost, server error); the message says which store and why. */
export class SessionStoreError extends Error {
  override readonly name = 'SessionStoreError';
  constructor(store: string, operation: string, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(`${store} store: ${operation} failed: ${why}`, { cause });
  }
}

/** Using a session after it was invalidated. */
export class SessionInvalidatedError extends Error {
  override readonly name = 'SessionInvalidatedError';
  constructor(id: string) {
    super(`session ${id} has been invalidated`);
  }
}
