import { performance } from 'node:perf_hooks';

/**
 * The Redis store's opt-in client-side cache (`RedisStoreOptions.clientCache`): a session that did
 * not change since this process last read it is served from memory, at the cost of one small
 * round trip that many loads share, and never stale.
 */
export interface ClientCacheOptions {
  /** The most session hashes kept; the least recently used go first. Default 10 000. */
  maxEntries?: number;
  /** The longest an entry is kept after it was read from Redis (ms). Default 60 000. */
  maxAgeMs?: number;
}

export const DEFAULT_CLIENT_CACHE_MAX_ENTRIES = 10_000;
export const DEFAULT_CLIENT_CACHE_MAX_AGE_MS = 60_000;

/**
 * What the cache needs of its own connection: node-redis 5 with `RESP: 3` and `emitInvalidate:
 * true`, which sends `CLIENT TRACKING ON` on every (re)connect and emits `invalidate` (a key, or
 * null for a flush) while it decodes the stream, before the replies that follow it resolve.
 */
export interface TrackingConnection {
  readonly isReady: boolean;
  hGetAll(key: string): Promise<Record<string, string>>;
  pTTL(key: string): Promise<number>;
  ping(): Promise<unknown>;
  sendCommand(args: string[]): Promise<unknown>;
  on(event: string, listener: (...args: any[]) => void): unknown;
  off(event: string, listener: (...args: any[]) => void): unknown;
  connect(): Promise<unknown>;
  close?(): Promise<unknown>;
  quit?(): Promise<unknown>;
  destroy(): void;
}

/** The cache cannot answer now (connection down, tracking not confirmed, a timeout): read as usual. */
export const CACHE_UNAVAILABLE: unique symbol = Symbol('client cache unavailable');

export interface ClientCacheStats {
  /** Loads served from memory after the freshness barrier. */
  hits: number;
  /** Loads read from Redis on the cache's connection (tracked from then on). */
  misses: number;
  /** Loads the cache could not take (the caller read them as usual). */
  unavailable: number;
  /** Reads not kept because their key was invalidated (or the connection changed) while they were in flight. */
  discarded: number;
  /** Invalidations heard (keys and flushes). */
  invalidations: number;
  /** Times the connection was lost or flushed and every entry dropped. */
  resets: number;
  /** Freshness PINGs sent. */
  barriers: number;
  entries: number;
}

interface Entry<T> {
  readonly value: T;
  readonly generation: number;
  /** performance.now() after which the entry is not served: its key's TTL or maxAgeMs, whichever is first. */
  readonly until: number;
}

/** Reads of one key in flight on the cache connection, and the last invalidation of that key. */
interface Pending {
  reads: number;
  invalidatedAt: number;
}

interface Deferred {
  promise: Promise<boolean>;
  resolve(ok: boolean): void;
}

/**
 * A cache of values read on a connection with server-assisted invalidation (Redis 6+ `CLIENT
 * TRACKING`, RESP3 pushes). Writes go on other connections; the server then sends this connection
 * an invalidation for every key it read that anyone modifies, expires or flushes.
 *
 * Why a cached value is never stale: Redis sends the invalidation of a write into this connection's
 * stream before the reply to any command it runs after that write. A load first sends (or joins) a
 * PING sent after the load began; once the PONG is decoded, every write acknowledged to anyone
 * before the load began has had its invalidation decoded too, and the entry is gone. Only then is
 * an entry served. A read's reply is kept only if no invalidation of its key, no flush and no
 * reconnect was heard after the read was sent (the reply's continuation runs a microtask after the
 * decoder, which may have decoded an invalidation from the same chunk in between). A lost connection
 * loses the server's tracking: every entry is dropped, and loads go to the caller's client until the
 * connection is back and `CLIENT TRACKINGINFO` confirms tracking.
 *
 * Entries hold what the caller's `fetch` made of its read, which the caller must treat as
 * immutable and copy before handing out.
 */
export class TrackedCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly pending = new Map<string, Pending>();
  /** Bumped on every flush and connection change: an entry or reply of another generation is void. */
  private generation = 0;
  /** Counts invalidations; a read remembers it when sent. */
  private heard = 0;
  /** Whether the current connection is up and confirmed to track. */
  private usable = false;
  private closed = false;
  private pingInFlight: Promise<boolean> | null = null;
  private nextPing: Deferred | null = null;
  private readonly maxEntries: number;
  private readonly maxAgeMs: number;
  private readonly counters = { hits: 0, misses: 0, unavailable: 0, discarded: 0, invalidations: 0, resets: 0, barriers: 0 };
  private verifying: Promise<void> | null = null;

  constructor(
    private readonly connection: TrackingConnection,
    options: ClientCacheOptions = {},
    /** How long a barrier or read may take before the load goes to the caller's client (ms). */
    private readonly timeoutMs = 3_000,
  ) {
    this.maxEntries = positiveInteger(options.maxEntries, DEFAULT_CLIENT_CACHE_MAX_ENTRIES, 'clientCache.maxEntries');
    this.maxAgeMs = positiveInteger(options.maxAgeMs, DEFAULT_CLIENT_CACHE_MAX_AGE_MS, 'clientCache.maxAgeMs');
    connection.on('invalidate', this.onInvalidate);
    for (const event of ['error', 'end', 'reconnecting', 'connect'] as const) connection.on(event, this.onConnectionChange);
    connection.on('ready', this.onReady);
  }

  /** Connects and confirms tracking; fails when the server will not track (then the store cannot cache). */
  async start(): Promise<void> {
    if (!this.connection.isReady) await this.connection.connect();
    if (!this.usable) await this.verify(true);
  }

  get stats(): ClientCacheStats {
    return { ...this.counters, entries: this.entries.size };
  }

  /**
   * The value for `key`, as fresh as a read sent now: from memory after the freshness barrier, or
   * `fetch`ed on the cache connection (which tracks the key from then on). `fetch` must send its
   * command(s) before it returns its promise, read `key` only, and give null for nothing to keep
   * (such as an empty hash). {@link CACHE_UNAVAILABLE} when the cache cannot answer: read elsewhere.
   */
  async read(key: string, fetch: (connection: TrackingConnection) => Promise<T | null>): Promise<T | null | typeof CACHE_UNAVAILABLE> {
    if (!this.usable || this.closed) return this.unavailable();
    if (this.entries.has(key)) {
      if (!(await this.barrier())) return this.unavailable();
      const entry = this.entries.get(key);
      if (entry && entry.generation === this.generation && performance.now() < entry.until) {
        // Most recently used last.
        this.entries.delete(key);
        this.entries.set(key, entry);
        this.counters.hits++;
        return entry.value;
      }
      if (!this.usable) return this.unavailable();
    }
    return this.fill(key, fetch);
  }

  /** Closes the cache's connection and drops every entry. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.reset();
    this.connection.off('invalidate', this.onInvalidate);
    this.connection.off('ready', this.onReady);
    const connection = this.connection;
    try {
      if (connection.isReady) await (connection.close ?? connection.quit)!.call(connection);
      else connection.destroy();
    } catch {
      connection.destroy();
    }
    for (const event of ['error', 'end', 'reconnecting', 'connect'] as const) connection.off(event, this.onConnectionChange);
    // A late error of the closed connection must not be unhandled.
    connection.on('error', () => undefined);
  }

  private unavailable(): typeof CACHE_UNAVAILABLE {
    this.counters.unavailable++;
    return CACHE_UNAVAILABLE;
  }

  /** Reads the key and its TTL on the cache connection; keeps the result only if nothing invalidated it meanwhile. */
  private async fill(key: string, fetch: (connection: TrackingConnection) => Promise<T | null>): Promise<T | null | typeof CACHE_UNAVAILABLE> {
    const generation = this.generation;
    const sentAt = this.heard;
    const started = performance.now();
    let pending = this.pending.get(key);
    if (!pending) this.pending.set(key, (pending = { reads: 0, invalidatedAt: -1 }));
    pending.reads++;
    let value: T | null;
    let ttl: number;
    try {
      // Both are sent before either is answered: the TTL is the one of the value read.
      const read = fetch(this.connection);
      [value, ttl] = await this.within(Promise.all([read, this.connection.pTTL(key)]));
    } catch {
      // Whatever failed (the connection, a reply error, a value that does not decode), the
      // caller's own read reports it, or succeeds.
      return this.unavailable();
    } finally {
      if (--pending.reads === 0 && this.pending.get(key) === pending) this.pending.delete(key);
    }
    this.counters.misses++;
    const fresh = generation === this.generation && this.usable && pending.invalidatedAt <= sentAt;
    if (!fresh) this.counters.discarded++;
    else if (value !== null && ttl !== -2) {
      const until = started + (ttl >= 0 ? Math.min(ttl, this.maxAgeMs) : this.maxAgeMs);
      this.entries.delete(key);
      this.entries.set(key, { value, generation, until });
      if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    }
    return value;
  }

  /**
   * Resolves true once a PING sent after this call has been answered on the current connection
   * (false on a timeout, a lost connection or a flush meanwhile). At most one PING is in flight:
   * calls made while one is share the next one.
   */
  private barrier(): Promise<boolean> {
    if (this.pingInFlight === null) return (this.pingInFlight = this.ping());
    if (this.nextPing === null) {
      let resolve!: (ok: boolean) => void;
      const promise = new Promise<boolean>((done) => (resolve = done));
      this.nextPing = { promise, resolve };
    }
    return this.nextPing.promise;
  }

  private ping(): Promise<boolean> {
    const generation = this.generation;
    this.counters.barriers++;
    return this.within(this.connection.ping()).then(
      () => this.pinged(generation === this.generation && this.usable),
      () => this.pinged(false),
    );
  }

  /** The PING in flight settled: the loads waiting for the next one get it now. */
  private pinged(ok: boolean): boolean {
    this.pingInFlight = null;
    const next = this.nextPing;
    if (next !== null) {
      this.nextPing = null;
      this.pingInFlight = this.ping();
      void this.pingInFlight.then(next.resolve);
    }
    return ok;
  }

  private readonly onInvalidate = (key: Buffer | string | null): void => {
    this.counters.invalidations++;
    this.heard++;
    if (key === null) {
      // FLUSHDB / FLUSHALL: everything this connection read is gone.
      this.reset();
      return;
    }
    const name = typeof key === 'string' ? key : key.toString();
    this.entries.delete(name);
    const pending = this.pending.get(name);
    if (pending) pending.invalidatedAt = this.heard;
  };

  /** Any change of the connection: the server's tracking of what it read may be lost. */
  private readonly onConnectionChange = (): void => {
    this.usable = false;
    this.reset();
  };

  private readonly onReady = (): void => {
    this.onConnectionChange();
    if (!this.closed) void this.verify(false).catch(() => undefined);
  };

  /** Confirms with CLIENT TRACKINGINFO that the (re)connected connection tracks; only then is it used. */
  private verify(strict: boolean): Promise<void> {
    if (this.verifying) return this.verifying;
    const generation = this.generation;
    const check = (async () => {
      const info = (await this.within(this.connection.sendCommand(['CLIENT', 'TRACKINGINFO']))) as { flags?: unknown } | unknown[];
      const flags = Array.isArray(info) ? info[1] : (info as { flags?: unknown }).flags;
      const on = Array.isArray(flags) && flags.map(String).includes('on');
      if (!on) throw new Error(`the cache connection does not track keys (CLIENT TRACKINGINFO flags: ${JSON.stringify(flags)})`);
      if (generation === this.generation && this.connection.isReady && !this.closed) this.usable = true;
      else if (strict) throw new Error('the cache connection changed while it was being set up');
    })().finally(() => (this.verifying = null));
    this.verifying = check;
    return check;
  }

  private reset(): void {
    this.generation++;
    this.counters.resets++;
    this.entries.clear();
  }

  private within<R>(work: Promise<R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the cache connection did not answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      work.then(resolve, reject).finally(() => clearTimeout(timer));
    });
  }
}

function positiveInteger(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${what} must be a positive whole number, got ${value}`);
  return value;
}
