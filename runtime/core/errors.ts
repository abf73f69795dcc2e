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
