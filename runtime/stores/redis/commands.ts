/**
 * The Redis commands the Redis session store sends, and nothing else: the one seam between the
 * store and a Redis client library. `clients/ioredis.ts` and `clients/node-redis.ts` implement it;
 * a layer of one's own (a client-side cache, a recorder) implements it by wrapping one of them and
 * is passed to `RedisSessionStore.open` in place of a client.
 *
 * Every command that writes a session hash goes through {@link RedisCommands.evalScript} (the
 * session keys it may change are among its `keys`) or {@link RedisCommands.del}; the one script
 * that changes session hashes it is not given as keys (sign out everywhere on a standalone server,
 * which deletes every session of an index value atomically) is followed by
 * {@link RedisCommands.changedOutsideKeys}. Loads are {@link RedisCommands.hgetall} of the session
 * key. So a wrapper that caches `hgetall` of session keys sees every write this process makes to
 * them, and can evict or update before the store's call settles.
 *
 * Keys are given as the store names them; a client that adds a prefix of its own (ioredis
 * `keyPrefix`) adds it, and says so in {@link RedisCommands.keyPrefix}.
 */

/** A Lua script as the store runs it: EVALSHA, and EVAL where the node does not know it yet. */
export interface RedisScript {
  /** What the store calls it (`save`, `touch`, `delete`, …), for wrappers that care which write it is. */
  readonly name: string;
  readonly lua: string;
  /** The SHA-1 of `lua`, as SCRIPT LOAD would answer. */
  readonly sha: string;
}

/** One Redis server: the standalone server, or one node (master) of a Cluster. */
export interface RedisNode {
  /** `host:port`, the node's identity across reconnects. */
  readonly address: string;
  /** SCAN `cursor` MATCH `pattern` COUNT `count` on this node; the pattern is sent as given (no client prefix is added). */
  scan(cursor: string, pattern: string, count: number): Promise<[cursor: string, keys: string[]]>;
  /** CONFIG GET of one parameter: its value, `''` when the server names none. */
  configGet(parameter: string): Promise<string>;
  /** CONFIG SET of one parameter. */
  configSet(parameter: string, value: string): Promise<void>;
  /**
   * A connection of its own subscribed to `__keyevent@<db>__:expired` on this node, for the db the
   * client uses, that reconnects and subscribes again by itself for as long as it is open. `onKey`
   * gets each expired key as the server names it (with any client prefix).
   */
  subscribeExpired(onKey: (key: string) => void): Promise<RedisSubscription>;
}

export interface RedisSubscription {
  /** False once the connection has ended for good (then a new one is needed). */
  readonly alive: boolean;
  close(): Promise<void>;
}

export interface RedisCommands {
  /** Whether the client is a Cluster client (index keys then live in other slots than their sessions). */
  readonly isCluster: boolean;
  /** What the client puts before every key it sends (ioredis `keyPrefix`); `''` for none. */
  readonly keyPrefix: string;
  /** The client this wraps, as the app passed it. */
  readonly client: unknown;

  /** Connects the client if the app has not yet (node-redis clients start unconnected); resolves once commands can be sent. */
  ready(): Promise<void>;

  /** EVALSHA `script` with `keys` and `args` (EVAL on NOSCRIPT); on a Cluster, sent to the slot of `keys[0]`. */
  evalScript(script: RedisScript, keys: readonly string[], args: readonly string[]): Promise<unknown>;
  /** HGETALL: the hash's fields, `{}` when the key does not exist. */
  hgetall(key: string): Promise<Record<string, string>>;
  /** HMGET: one value (or null) per field. */
  hmget(key: string, fields: readonly string[]): Promise<Array<string | null>>;
  get(key: string): Promise<string | null>;
  /** EXISTS of one key: 1 or 0. */
  exists(key: string): Promise<number>;
  /** DEL of one key: how many it removed. */
  del(key: string): Promise<number>;
  /** Told the session keys a script changed that were not among its keys (see the file's comment). Optional. */
  changedOutsideKeys?(keys: readonly string[]): void;

  /** The nodes that hold keys: the server itself, or every master of a Cluster (once it knows its topology). */
  masters(): Promise<RedisNode[]>;
  /** A Cluster reads its topology again, so that a node that came back is found without traffic; no-op standalone. */
  refreshTopology(): Promise<void>;
  /**
   * Calls `listener` whenever a node (re)connects and can take commands, and when a Cluster finds a
   * node it did not know; `gone` when a node leaves a Cluster's topology. Returns the unsubscribe.
   */
  watchNodes(listener: { ready(node: RedisNode): void; gone(address: string): void }): () => void;
  /**
   * Calls `listener` when a connection closed while commands may have been in flight and the client
   * itself will never settle them (ioredis told not to resend); the store then fails its calls in
   * flight. A client that fails such commands itself (node-redis) never calls it. Returns the unsubscribe.
   */
  onConnectionLost(listener: () => void): () => void;
  /** Whether an error is a reply from the server (refused, unknown command), not a connection or timeout failure. */
  isReplyError(err: unknown): boolean;
}
