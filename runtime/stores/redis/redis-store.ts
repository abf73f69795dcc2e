import { createHash } from 'node:crypto';
import type { IndexDescriptor, IndexValue, SessionDescriptor } from '../../core/descriptor.js';
import { SessionStoreError } from '../../core/errors.js';
import { isReservedAttribute } from '../../core/reserved.js';
import { DEFAULT_ID_FORWARDING_MS, type DeleteByIndexOptions, type ListIdsOptions, type SessionRecord, type SessionStore, type SessionWrite, type StoreExpiryListener, type WriteOutcome } from '../../core/store.js';
import { redisCommandsFor, type RedisClient } from './client.js';
import type { RedisCommands, RedisNode, RedisScript, RedisSubscription } from './commands.js';
import { withDeadline } from './deadline.js';
import { openCacheConnection } from './cache-connection.js';
import { copyRecord } from './cached-record.js';
import { CACHE_UNAVAILABLE, TrackedCache, type ClientCacheOptions, type ClientCacheStats } from './client-cache.js';
import { META_FIELDS, RedisKeyLayout, attributeField, indexValueText, isMetaField } from './layout.js';
import {
  DELETE_SCRIPT,
  END_BY_INDEX_SCRIPT,
  INDEX_ADD_SCRIPT,
  INDEX_READ_SCRIPT,
  INDEX_REMOVE_SCRIPT,
  MOVE_BEGIN_SCRIPT,
  MOVE_END_SCRIPT,
  SAVE_SCRIPT,
  TOUCH_SCRIPT,
} from './scripts.js';

export type { RedisClient } from './client.js';

export interface RedisStoreOptions {
  /** Overrides the schema's key prefix (`descriptor.redis.keyPrefix`), e.g. per tenant or per test run. */
  keyPrefix?: string;
  /** Epoch ms; used to prune index members whose session has expired. Default `Date.now`. */
  clock?: () => number;
  /**
   * Expired events from keyspace notifications. `auto` (default): add `Ex` to
   * `notify-keyspace-events` with CONFIG SET where the server allows it, and subscribe every
   * node; where it does not, everything else works, only expired events are absent, and the
   * `logger` says so once. The flags are checked again on every (re)connect of every node and
   * every `notificationCheckMs`, and set again when lost (a restarted server forgets a CONFIG SET).
   * `existing`: never CONFIG SET, only check that the server has the flags (warn once if not).
   * `off`: no subscription, no check.
   */
  keyspaceNotifications?: 'auto' | 'existing' | 'off';
  /** How long a cluster id change may take before another one may claim the session (ms). Default 30 000. */
  moveLockMs?: number;
  /**
   * How long a store call may wait for Redis (ms) before it fails with a `SessionStoreError`
   * (503 through the web integrations), so a stalled server fails requests instead of holding
   * them; the outcome of a call that timed out is unknown. Default
   * {@link DEFAULT_REDIS_COMMAND_TIMEOUT_MS}; `false`: wait as long as the client does.
   */
  commandTimeoutMs?: number | false;
  /** How often `notify-keyspace-events` is checked on every node (ms). Default 30 000; `false`: only on (re)connect. */
  notificationCheckMs?: number | false;
  /** Where the store warns (once per store) that the server refused keyspace notifications. Default `console.warn`. */
  logger?: (message: string) => void;
  /**
   * Serve a session unchanged since this process last read it from memory (standalone Redis 6+
   * only; `true` for the defaults). Each load then costs one PING that concurrent loads share,
   * instead of HGETALL and parsing, and is never stale: the cache reads on a connection of its own
   * with `CLIENT TRACKING`, and serves an entry only after a PING sent after the load began has
   * come back behind every invalidation of the writes acknowledged before it. The connection is a
   * node-redis client with the options of the store's node-redis client, or, for an ioredis client,
   * a node-redis 5 client (`redis`, then needed) to the same server and database. Refused on a Cluster or with Sentinel. Default off.
   */
  clientCache?: boolean | ClientCacheOptions;
}

/** The default limit on how long a store call (and, through `createRedisSessionClient`, any command) waits for Redis. */
export const DEFAULT_REDIS_COMMAND_TIMEOUT_MS = 3_000;
const DEFAULT_NOTIFICATION_CHECK_MS = 30_000;

/**
 * Keyspace notifications as of the last check: `on` (every node has the flags), `off` (not asked
 * for) or `refused` (a node would not set them, or lacks them in `existing` mode).
 */
export type NotificationState = 'on' | 'off' | 'refused';

const script = (name: string, lua: string): RedisScript => ({ name, lua, sha: createHash('sha1').update(lua).digest('hex') });
/** The store's scripts, by name (see scripts.ts). */
export const REDIS_SCRIPTS = {
  save: script('save', SAVE_SCRIPT),
  touch: script('touch', TOUCH_SCRIPT),
  delete: script('delete', DELETE_SCRIPT),
  moveBegin: script('moveBegin', MOVE_BEGIN_SCRIPT),
  moveEnd: script('moveEnd', MOVE_END_SCRIPT),
  indexAdd: script('indexAdd', INDEX_ADD_SCRIPT),
  indexRead: script('indexRead', INDEX_READ_SCRIPT),
  indexRemove: script('indexRemove', INDEX_REMOVE_SCRIPT),
  endByIndex: script('endByIndex', END_BY_INDEX_SCRIPT),
} as const;
const SCRIPTS = REDIS_SCRIPTS;

/**
 * The expiry as the scripts take it, and the index score bounds: index scores are an upper bound
 * of the expiry, and half a timeout of slack means a busy session rewrites its index entries
 * about once per half timeout, not on every save.
 */
function expiryArgs(write: SessionWrite): { expiresAt: string; refresh: string; highest: string } {
  if (write.expiresAt === null) return { expiresAt: '-1', refresh: '+inf', highest: '+inf' };
  const expiresAt = Math.ceil(write.expiresAt);
  const slack = write.maxInactiveInterval > 0 ? Math.floor((write.maxInactiveInterval * 1000) / 2) : 0;
  return { expiresAt: String(expiresAt), refresh: String(expiresAt + slack), highest: String(expiresAt + 2 * slack) };
}

/** SAVE's first reply element when it wrote; when the source id moved (then the new id follows); while a cluster move holds it. */
const SAVED = 1;
const SOURCE_MOVED = 2;
const SOURCE_MOVING = 3;
/** How many id changes in a row a forwarded save follows (each login is one). */
const MAX_FORWARDS = 8;
/** How long a save of a session that a cluster id change holds waits for the change to end (ms). */
const MOVE_WAIT_MS = 2_000;

interface InflightCall {
  readonly reject: (err: Error) => void;
  /** Epoch ms after which the call fails (Infinity: never). */
  readonly deadline: number;
}

/** What one SAVE/TOUCH attempt found: done, or the id the session moved to, or a move under way. */
type SaveStep = 'written' | 'gone' | 'busy' | { movedTo: string };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sessions in Redis (standalone or Cluster) through ioredis or node-redis (any {@link RedisCommands}): a hash per session whose native TTL is
 * the session's expiry, and a sorted set per index value whose member scores are the members'
 * expiry times. See `generated/redis/LAYOUT.md` for the keys.
 *
 * - A save is one EVALSHA on the session's slot. On a standalone server it also maintains the
 *   indexes, atomically. On a cluster, index keys live in other slots: the store sends their
 *   commands alongside (in parallel, so still one round trip) and, when an indexed value changed,
 *   removes the old entry in a second step.
 * - `load` is one HGETALL. `changeSessionId` never RENAMEs: on a standalone server one script
 *   copies and deletes; on a cluster the new hash is written before the old one is deleted. Either
 *   way the script that deletes the old hash leaves `<prefix>:{<old id>}:moved` = the new id. A save
 *   under the old id (a request that loaded the session before the change) finds that marker and
 *   runs again under the new id; one that meets a cluster move under way waits for it.
 */
export class RedisSessionStore implements SessionStore {
  readonly kind: string;
  readonly keys: RedisKeyLayout;
  readonly isCluster: boolean;
  /** The commands the store sends: the client's adapter, or the {@link RedisCommands} passed in. */
  readonly commands: RedisCommands;
  /** The client (or commands) as passed in; the caller's to close. */
  readonly client: RedisClient | RedisCommands;
  private readonly clock: () => number;
  private readonly moveLockMs: string;
  /** Keys as the server sees them start with the client's own `keyPrefix`, if it has one. */
  private readonly clientPrefix: string;
  private readonly indexFields: string[];
  private readonly expiryListeners: StoreExpiryListener[] = [];
  /** Per node address: the subscriber connection for its expired events. */
  private readonly subscribers = new Map<string, RedisSubscription>();
  private notificationMode: 'auto' | 'existing' | 'off' = 'off';
  /** Per node address: what the last check of its notify-keyspace-events found. */
  private readonly nodeNotifications = new Map<string, 'on' | 'refused'>();
  /** Checks in flight, per node address, so a `ready` event and a periodic check do not both run one. */
  private readonly nodeChecks = new Map<string, Promise<void>>();
  private refusalReported = false;
  private notificationTimer: ReturnType<typeof setInterval> | undefined;
  private unwatchNodes: (() => void) | undefined;
  private readonly unwatchConnections: () => void;
  /** The client-side cache of session hashes, when `clientCache` asked for one. */
  private readonly cache: TrackedCache<SessionRecord> | undefined;
  private readonly commandTimeoutMs: number | false;
  private readonly notificationCheckMs: number | false;
  private closed = false;
  /** The calls in flight, oldest first (one timeout for all, so insertion order is deadline order). */
  private readonly inflight = new Set<InflightCall>();
  /** One timer per store fails the calls whose deadline has passed (not one timer per call). */
  private sweeper: ReturnType<typeof setInterval> | undefined;

  /**
   * Prefer {@link RedisSessionStore.open}, which also connects a node-redis client the app has not
   * connected and sets up expired events. An ioredis client must not resend unfulfilled commands
   * after a reconnect (`autoResendUnfulfilledCommands: false`): a resent save could apply twice and
   * report the wrong outcome.
   */
  constructor(
    readonly descriptor: SessionDescriptor,
    client: RedisClient | RedisCommands,
    private readonly options: RedisStoreOptions = {},
  ) {
    this.commandTimeoutMs = positiveOrFalse(options.commandTimeoutMs, DEFAULT_REDIS_COMMAND_TIMEOUT_MS, 'commandTimeoutMs');
    this.notificationCheckMs = positiveOrFalse(options.notificationCheckMs, DEFAULT_NOTIFICATION_CHECK_MS, 'notificationCheckMs');
    this.client = client;
    this.commands = redisCommandsFor(client, this.commandTimeoutMs);
    this.isCluster = this.commands.isCluster;
    this.kind = this.isCluster ? 'redis-cluster' : 'redis';
    this.keys = new RedisKeyLayout(options.keyPrefix ?? descriptor.redis.keyPrefix);
    this.clock = options.clock ?? Date.now;
    this.moveLockMs = String(options.moveLockMs ?? 30_000);
    this.clientPrefix = this.commands.keyPrefix;
    this.indexFields = descriptor.indexes.map((index) => attributeField(index.attribute));
    if (options.clientCache) {
      if (this.isCluster) {
        throw new TypeError(
          'clientCache works on a standalone Redis only: on a Cluster, slot migrations and failovers move keys away from the ' +
            'connection that tracks them, which this cache does not follow; open the store without clientCache',
        );
      }
      const cacheOptions = options.clientCache === true ? {} : options.clientCache;
      const timeout = this.commandTimeoutMs === false ? DEFAULT_REDIS_COMMAND_TIMEOUT_MS : this.commandTimeoutMs;
      this.cache = new TrackedCache<SessionRecord>(openCacheConnection(this.commands.client), cacheOptions, timeout);
    }
    this.unwatchConnections = this.commands.onConnectionLost(this.connectionLost);
  }

  private readonly connectionLost = (): void => {
    if (this.inflight.size === 0) return;
    const err = new Error('the connection to Redis closed while the call was in flight; its outcome is unknown');
    const calls = [...this.inflight];
    this.inflight.clear();
    for (const call of calls) call.reject(err);
  };

  /**
   * Settles with the operation, or rejects when a connection drops while it is in flight or when
   * Redis has not answered within the command timeout (checked by one timer per store, every
   * tenth of the timeout: a call fails between 1 and 1.1 timeouts after it started).
   */
  private guard<T>(operation: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const limit = this.commandTimeoutMs;
      const call: InflightCall = { reject, deadline: limit === false ? Infinity : Date.now() + limit };
      this.inflight.add(call);
      if (this.sweeper === undefined && limit !== false) this.startSweeper(limit);
      operation.then(
        (value) => {
          this.inflight.delete(call);
          resolve(value);
        },
        (err) => {
          this.inflight.delete(call);
          reject(err);
        },
      );
    });
  }

  private startSweeper(limit: number): void {
    this.sweeper = setInterval(() => {
      const now = Date.now();
      for (const call of this.inflight) {
        if (call.deadline > now) break;
        this.inflight.delete(call);
        call.reject(new Error(`Redis did not answer within ${limit} ms; the call's outcome is unknown`));
      }
      if (this.inflight.size === 0) {
        clearInterval(this.sweeper);
        this.sweeper = undefined;
      }
    }, Math.max(1, Math.ceil(limit / 10)));
    this.sweeper.unref();
  }

  /** Opens the store and, unless turned off, subscribes to expired events on every master. */
  static async open(descriptor: SessionDescriptor, client: RedisClient | RedisCommands, options: RedisStoreOptions = {}): Promise<RedisSessionStore> {
    const store = new RedisSessionStore(descriptor, client, options);
    try {
      await withDeadline(store.commands.ready(), store.commandTimeoutMs === false ? false : Math.max(store.commandTimeoutMs, 30_000));
      await store.cache?.start();
      await store.startNotifications(options.keyspaceNotifications ?? 'auto');
    } catch (err) {
      await store.close();
      throw new SessionStoreError(store.kind, 'open', err);
    }
    return store;
  }

  /** Whether expired events will arrive: `on`, `off` (not asked for) or `refused` (a node would not allow it). */
  get notifications(): NotificationState {
    if (this.notificationMode === 'off') return 'off';
    for (const state of this.nodeNotifications.values()) if (state === 'refused') return 'refused';
    return 'on';
  }

  /** What the client-side cache did so far (undefined without `clientCache`). */
  get clientCacheStats(): ClientCacheStats | undefined {
    return this.cache?.stats;
  }

  load(id: string): Promise<SessionRecord | null> {
    if (!this.keys.isUsableId(id)) return Promise.resolve(null);
    return this.cache ? this.loadCached(id) : this.loadFromRedis(id);
  }

  /** From the client-side cache, or from Redis on the store's client when the cache cannot answer. */
  private async loadCached(id: string): Promise<SessionRecord | null> {
    const key = this.clientPrefix + this.keys.session(id);
    const cached = await this.cache!.read(key, async (connection) => this.parse(id, await connection.hGetAll(key)));
    if (cached !== CACHE_UNAVAILABLE) return cached === null ? null : copyRecord(cached);
    return this.loadFromRedis(id);
  }

  private loadFromRedis(id: string): Promise<SessionRecord | null> {
    return this.guard(this.commands.hgetall(this.keys.session(id))).then(
      (hash) => {
        try {
          return this.parse(id, hash);
        } catch (err) {
          throw this.fail('load', err);
        }
      },
      (err) => {
        throw this.fail('load', err);
      },
    );
  }

  async write(write: SessionWrite): Promise<WriteOutcome> {
    if (!this.keys.isUsableId(write.id) || (write.previousId !== undefined && !this.keys.isUsableId(write.previousId))) {
      // Ids the repository makes never get here; such an id names no stored session.
      if (write.isNew) throw new SessionStoreError(this.kind, 'save', new Error('a session id must be non-empty and contain no { or }'));
      return 'gone';
    }
    try {
      if (write.previousId !== undefined && write.previousId !== write.id && this.isCluster) {
        return await this.guard(this.moveOnCluster(write));
      }
      return await this.guard(this.saveFollowing(write));
    } catch (err) {
      throw this.fail('save', err);
    }
  }

  async isMoved(id: string): Promise<boolean> {
    if (!this.keys.isUsableId(id)) return false;
    try {
      return await this.guard(this.isMovedNow(id));
    } catch (err) {
      throw this.fail('isMoved', err);
    }
  }

  /** Follows the moved markers from `id` (one slot per step) to a session hash that exists. */
  private async isMovedNow(id: string): Promise<boolean> {
    let at = id;
    for (let hop = 0; hop < MAX_FORWARDS; hop++) {
      const to = await this.commands.get(this.keys.moved(at));
      if (to === null || !this.keys.isUsableId(to)) return false;
      if ((await this.commands.exists(this.keys.session(to))) === 1) return true;
      at = to;
    }
    return false;
  }

  /**
   * A save, run again under the new id when the session's id moved since it was loaded, and after
   * a cluster move under way ends. An id change whose source moved lost to another change: `moved`.
   */
  private async saveFollowing(write: SessionWrite): Promise<WriteOutcome> {
    let target = write;
    let hops = 0;
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      const step = await this.save(target);
      if (step === 'written' || step === 'gone') return step;
      if (step === 'busy') {
        if (Date.now() - started > MOVE_WAIT_MS) throw new Error(`an id change held the session for over ${MOVE_WAIT_MS} ms`);
        await sleep(Math.min(2 * attempt, 20));
        continue;
      }
      if (target.previousId !== undefined) return (await this.isMovedNow(target.previousId)) ? 'moved' : 'gone';
      if (++hops > MAX_FORWARDS) return 'gone';
      target = { ...write, id: step.movedTo };
    }
  }

  async delete(id: string): Promise<boolean> {
    if (!this.keys.isUsableId(id)) return false;
    try {
      return await this.guard(this.deleteNow(id));
    } catch (err) {
      throw this.fail('delete', err);
    }
  }

  private async deleteNow(id: string): Promise<boolean> {
    const inline = this.isCluster ? '' : this.clientPrefix + this.keys.indexPrefix;
    const reply = (await this.run(SCRIPTS.delete, [this.keys.session(id), this.keys.moveLock(id)], [
      inline,
      String(this.indexFields.length),
      ...this.indexFields,
      id,
      this.now(),
    ])) as Array<number | string | null>;
    if (this.isCluster) await this.removeFromIndexes(id, reply.slice(1) as Array<string | null>);
    return reply[0] === 1;
  }

  async findByIndex(index: IndexDescriptor, value: IndexValue): Promise<SessionRecord[]> {
    try {
      return await this.guard(this.findByIndexNow(index, value));
    } catch (err) {
      throw this.fail('findByIndex', err);
    }
  }

  private async findByIndexNow(index: IndexDescriptor, value: IndexValue): Promise<SessionRecord[]> {
    const key = this.keys.index(index, value);
    const ids = (await this.run(SCRIPTS.indexRead, [key], [this.now()])) as string[];
    if (ids.length === 0) return [];
    const hashes = await Promise.all(ids.map((id) => this.commands.hgetall(this.keys.session(id))));
    const records: SessionRecord[] = [];
    const missing: string[] = [];
    ids.forEach((id, i) => {
      const record = this.parse(id, hashes[i]!);
      if (record) records.push(record);
      else missing.push(id);
    });
    // A member whose hash is gone (expired, deleted, moved) never comes back: ids are not reused,
    // and a new or moved session's hash is written before its index entry.
    if (missing.length > 0) await this.unindex(key, missing);
    return records;
  }

  /** Like `findByIndex`, but reads only the timing fields and the named fields of each hash (HMGET). */
  async findSummariesByIndex(index: IndexDescriptor, value: IndexValue, names: readonly string[]): Promise<SessionRecord[]> {
    try {
      return await this.guard(this.findSummariesNow(index, value, names));
    } catch (err) {
      throw this.fail('findSummariesByIndex', err);
    }
  }

  private async findSummariesNow(index: IndexDescriptor, value: IndexValue, names: readonly string[]): Promise<SessionRecord[]> {
    const key = this.keys.index(index, value);
    const ids = (await this.run(SCRIPTS.indexRead, [key], [this.now()])) as string[];
    if (ids.length === 0) return [];
    const fields = [META_FIELDS.creationTime, META_FIELDS.lastAccessedTime, META_FIELDS.maxInactiveInterval, ...names.map(attributeField)];
    const rows = await Promise.all(ids.map((id) => this.commands.hmget(this.keys.session(id), fields)));
    const records: SessionRecord[] = [];
    const missing: string[] = [];
    ids.forEach((id, i) => {
      const hash: Record<string, string> = {};
      rows[i]!.forEach((text, j) => {
        if (text !== null) hash[fields[j]!] = text;
      });
      const record = this.parse(id, hash);
      if (record) records.push(record);
      else missing.push(id);
    });
    if (missing.length > 0) await this.unindex(key, missing);
    return records;
  }

  /**
   * Sign out everywhere: on a standalone server one script deletes every session of the index
   * value (but the excepted ones) atomically; on a cluster, where the sessions live in other slots
   * than the index key, each is deleted on its own (each atomically).
   */
  async deleteByIndex(index: IndexDescriptor, value: IndexValue, options: DeleteByIndexOptions): Promise<string[]> {
    try {
      return await this.guard(this.deleteByIndexNow(index, value, options));
    } catch (err) {
      throw this.fail('deleteByIndex', err);
    }
  }

  private async deleteByIndexNow(index: IndexDescriptor, value: IndexValue, options: DeleteByIndexOptions): Promise<string[]> {
    const key = this.keys.index(index, value);
    if (!this.isCluster) {
      const [head, tail] = (this.clientPrefix + this.keys.session('\u0000')).split('\u0000') as [string, string];
      const lockSuffix = this.keys.moveLock('\u0000').slice(this.keys.session('\u0000').length);
      const args = [head, tail, lockSuffix, this.clientPrefix + this.keys.indexPrefix, String(this.indexFields.length), ...this.indexFields, this.now(), String(options.except.length), ...options.except];
      const ended = (await this.run(SCRIPTS.endByIndex, [key], args)) as string[];
      // The script deleted session hashes it was not given as keys: say which, to a layer that caches them.
      if (ended.length > 0) this.commands.changedOutsideKeys?.(ended.map((id) => this.keys.session(id)));
      return ended;
    }
    const ids = ((await this.run(SCRIPTS.indexRead, [key], [this.now()])) as string[]).filter((id) => !options.except.includes(id) && this.keys.isUsableId(id));
    const deleted = await Promise.all(ids.map((id) => this.deleteNow(id)));
    return ids.filter((_, i) => deleted[i]);
  }

  /**
   * The ids of the session hashes, by SCAN over the session-hash pattern: on a standalone server,
   * and on every master of a Cluster one after another (a Cluster's keys are spread over its
   * masters). Redis drops an expired key itself, so expired sessions are not listed. `pageSize` is
   * SCAN's COUNT; SCAN may return a key twice while the server resizes a table.
   */
  async *listIds(options: ListIdsOptions): AsyncIterable<string> {
    const count = Math.max(1, Math.floor(options.pageSize ?? 500));
    const glob = (text: string) => text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
    const [before, after] = this.keys.session('\u0000').split('\u0000') as [string, string];
    const pattern = `${glob(this.clientPrefix + before)}*${glob(after)}`;
    let nodes: RedisNode[];
    try {
      nodes = await this.guard(this.commands.masters());
    } catch (err) {
      throw this.fail('listIds', err);
    }
    for (const node of nodes) {
      let cursor = '0';
      do {
        let keys: string[];
        try {
          [cursor, keys] = await this.guard(node.scan(cursor, pattern, count));
        } catch (err) {
          throw this.fail('listIds', err);
        }
        for (const key of keys) {
          const id = key.startsWith(this.clientPrefix) ? this.keys.sessionIdOf(key.slice(this.clientPrefix.length)) : null;
          if (id !== null) yield id;
        }
      } while (cursor !== '0');
    }
  }

  onExpired(listener: StoreExpiryListener): void {
    this.expiryListeners.push(listener);
  }

  /** Closes the subscriber connections the store opened. The client is the caller's to close. */
  async close(): Promise<void> {
    this.closed = true;
    await this.cache?.close();
    clearInterval(this.notificationTimer);
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    const subscribers = [...this.subscribers.values()];
    this.subscribers.clear();
    this.unwatchNodes?.();
    this.unwatchConnections();
    await Promise.all(subscribers.map((subscriber) => subscriber.close()));
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * One EVALSHA on the session's slot. On a cluster, index entries live in other slots: when the
   * script says they need writing (a create, a changed indexed value, or a session about to outlive
   * its entries' score), INDEX_ADD follows, after the hash exists, so that an entry never points at
   * a hash that is not there yet; entries of values the session no longer has are removed too.
   */
  private async save(write: SessionWrite): Promise<SaveStep> {
    if (!write.isNew && write.previousId === undefined && write.removed.length === 0 && write.changedIndexes.length === 0) {
      const touched = await this.touch(write);
      if (touched !== 'use-save') return touched;
    }
    const sourceId = write.previousId ?? write.id;
    const indexKeys = this.currentIndexKeys(write);
    const now = String(Math.floor(write.now));
    const args = this.saveArgs(write, sourceId, indexKeys.length, this.fieldsToSet(write), write.removed.map(attributeField));
    const keys = [this.keys.session(sourceId), this.keys.session(write.id), this.keys.moveLock(sourceId), this.keys.moved(sourceId)];
    const reply = (await this.run(SCRIPTS.save, this.isCluster ? keys : [...keys, ...indexKeys], args)) as Array<number | string | null>;
    if (reply[0] === SOURCE_MOVED) return { movedTo: String(reply[2]) };
    if (reply[0] === SOURCE_MOVING) return 'busy';
    if (reply[0] !== SAVED) return 'gone';
    if (!this.isCluster) return 'written';
    const alive = reply[1] === 1;
    const score = reply[2];
    const previous = reply.slice(3) as Array<string | null>;
    const stale = this.descriptor.indexes.flatMap((index, i) => {
      const old = previous[i];
      if (old === null || old === undefined) return [];
      const current = write.indexes[index.name];
      const text = current === null || current === undefined ? null : indexValueText(current);
      return !alive || old !== text ? [this.keys.indexByText(index.name, old)] : [];
    });
    await Promise.all([
      ...(typeof score === 'string' ? indexKeys.map((key) => this.run(SCRIPTS.indexAdd, [key], [write.id, score, now])) : []),
      ...stale.map((key) => this.unindex(key, [write.id])),
    ]);
    return 'written';
  }

  /** The common update in one small script; 'use-save' when it needs SAVE's index or expiry work. */
  private async touch(write: SessionWrite): Promise<'written' | 'gone' | 'use-save'> {
    const { expiresAt, highest } = expiryArgs(write);
    const values = this.descriptor.indexes.filter((index) => write.indexes[index.name] !== null && write.indexes[index.name] !== undefined).length;
    const key = this.keys.session(write.id);
    const reply = await this.run(
      SCRIPTS.touch,
      [key, this.keys.moveLockOf(key), this.keys.movedOf(key)],
      [String(Math.floor(write.now)), expiresAt, highest, String(values), ...this.fieldsToSet(write)],
    );
    return reply === 1 ? 'written' : reply === 0 ? 'gone' : 'use-save';
  }

  /** The SAVE script's ARGV (see scripts.ts). */
  private saveArgs(write: SessionWrite, sourceId: string, indexValues: number, sets: string[], removed: string[]): string[] {
    const { expiresAt, refresh, highest } = expiryArgs(write);
    return [
      write.isNew ? 'n' : 'u',
      String(Math.floor(write.now)),
      expiresAt,
      write.id,
      sourceId,
      this.isCluster ? '' : this.clientPrefix + this.keys.indexPrefix,
      refresh,
      highest,
      String(indexValues),
      String(this.indexFields.length),
      ...this.indexFields,
      String(sets.length / 2),
      ...sets,
      String(removed.length),
      ...removed,
      String(write.forwardingMs ?? DEFAULT_ID_FORWARDING_MS),
    ];
  }

  /**
   * An id change on a cluster, where the two hashes live in different slots: claim the old hash
   * (a short lock that makes concurrent saves and moves of the old id give up), write the new hash
   * in full, add its index entries, then delete the old hash and its entries. The old id resolves
   * until the new one does, so there is no moment where neither does.
   */
  private async moveOnCluster(write: SessionWrite): Promise<WriteOutcome> {
    const oldId = write.previousId!;
    const oldKeys = [this.keys.session(oldId), this.keys.moveLock(oldId), this.keys.moved(oldId)];
    const now = String(Math.floor(write.now));
    const [status, ...flat] = (await this.run(SCRIPTS.moveBegin, oldKeys, [now, write.id, this.moveLockMs])) as [number, ...string[]];
    if (status === SOURCE_MOVED) return (await this.isMovedNow(oldId)) ? 'moved' : 'gone';
    if (status === SOURCE_MOVING) return 'moved';
    if (status !== SAVED) return 'gone';
    const fields = new Map<string, string>();
    for (let i = 0; i < flat.length; i += 2) fields.set(flat[i]!, flat[i + 1]!);
    const previousIndexKeys = this.descriptor.indexes.flatMap((index) => {
      const old = fields.get(attributeField(index.attribute));
      return old === undefined ? [] : [this.keys.indexByText(index.name, old)];
    });
    fields.delete(META_FIELDS.indexedUntil);
    for (const name of write.removed) fields.delete(attributeField(name));
    const sets = this.fieldsToSet({ ...write, isNew: true });
    for (let i = 0; i < sets.length; i += 2) fields.set(sets[i] as string, sets[i + 1] as string);
    const target = this.keys.session(write.id);
    const pairs: string[] = [];
    for (const [field, value] of fields) pairs.push(field, value);
    const indexKeys = this.currentIndexKeys(write);
    const created = { ...write, isNew: true };
    const reply = (await this.run(SCRIPTS.save, [target, target, this.keys.moveLock(write.id), this.keys.moved(write.id)], this.saveArgs(created, write.id, indexKeys.length, pairs, []))) as Array<
      number | string | null
    >;
    const score = reply[2];
    const added = reply[1] === 1 && typeof score === 'string' ? indexKeys : [];
    await Promise.all(added.map((key) => this.run(SCRIPTS.indexAdd, [key], [write.id, score as string, now])));
    const [ended] = await Promise.all([
      this.run(SCRIPTS.moveEnd, oldKeys, [write.id, String(write.forwardingMs ?? DEFAULT_ID_FORWARDING_MS)]),
      ...previousIndexKeys.map((key) => this.unindex(key, [oldId])),
    ]);
    if (ended !== 1) {
      // The old session was deleted while we moved it: the move must not bring it back.
      await Promise.all([this.commands.del(target), ...added.map((key) => this.unindex(key, [write.id]))]);
      return 'gone';
    }
    return 'written';
  }

  /** Field/value pairs to HSET: timing fields always, creation time on create, changed attributes. */
  private fieldsToSet(write: SessionWrite): string[] {
    const pairs: string[] = [
      META_FIELDS.lastAccessedTime,
      String(write.lastAccessedTime),
      META_FIELDS.maxInactiveInterval,
      String(write.maxInactiveInterval),
    ];
    if (write.isNew) pairs.push(META_FIELDS.creationTime, String(write.creationTime));
    for (const [name, value] of Object.entries(write.set)) pairs.push(attributeField(name), JSON.stringify(value));
    return pairs;
  }

  /** The index keys that should hold this session after the write (non-null current values). */
  private currentIndexKeys(write: SessionWrite): string[] {
    const keys: string[] = [];
    for (const index of this.descriptor.indexes) {
      const value = write.indexes[index.name];
      if (value !== null && value !== undefined) keys.push(this.keys.index(index, value));
    }
    return keys;
  }

  /** Cluster only: removes an id from the index keys of the given previous JSON values. */
  private async removeFromIndexes(id: string, previous: Array<string | null>): Promise<void> {
    const keys = this.descriptor.indexes.flatMap((index, i) => {
      const old = previous[i];
      return old === null || old === undefined ? [] : [this.keys.indexByText(index.name, old)];
    });
    if (keys.length > 0) await Promise.all(keys.map((key) => this.unindex(key, [id])));
  }

  /** Removes ids from one index key and gives the key the TTL of its longest-lived remaining member. */
  private async unindex(key: string, ids: string[]): Promise<void> {
    await this.run(SCRIPTS.indexRemove, [key], [this.now(), ...ids]);
  }

  private now(): string {
    return String(Math.floor(this.clock()));
  }

  private parse(id: string, hash: Record<string, string>): SessionRecord | null {
    const creation = hash[META_FIELDS.creationTime];
    const accessed = hash[META_FIELDS.lastAccessedTime];
    const timeout = hash[META_FIELDS.maxInactiveInterval];
    // An empty or partial hash (written by someone else) is no session.
    if (creation === undefined || accessed === undefined || timeout === undefined) return null;
    const attributes: Record<string, unknown> = {};
    for (const field of Object.keys(hash)) {
      // `#` fields are the store's own, except the repository's reserved entries (such as `#device`).
      if (isMetaField(field) && !isReservedAttribute(field)) continue;
      try {
        attributes[field] = JSON.parse(hash[field]!);
      } catch {
        throw new Error(`session ${id}: attribute '${field}' is not JSON`);
      }
    }
    return { id, creationTime: Number(creation), lastAccessedTime: Number(accessed), maxInactiveInterval: Number(timeout), attributes };
  }

  /** EVALSHA, loading the script with EVAL on the node that does not know it yet. */
  private run(script: RedisScript, keys: string[], args: string[]): Promise<unknown> {
    return this.commands.evalScript(script, keys, args);
  }

  private fail(operation: string, err: unknown): SessionStoreError {
    return err instanceof SessionStoreError ? err : new SessionStoreError(this.kind, operation, err);
  }

  // --- keyspace notifications ------------------------------------------------------------------

  /**
   * Sets up every master (a refusal is reported, a connection failure fails the open), then keeps
   * it so: every (re)connect of a node and every `notificationCheckMs` checks the flags again, and
   * subscriber connections reconnect and resubscribe by themselves.
   */
  private async startNotifications(mode: 'auto' | 'existing' | 'off'): Promise<void> {
    if (mode === 'off') return;
    this.notificationMode = mode;
    const nodes = await this.commands.masters();
    for (const node of nodes) await this.setUpNode(node);
    this.unwatchNodes = this.commands.watchNodes({
      ready: (node) => {
        if (!this.closed) void this.checkNode(node);
      },
      gone: (address) => this.nodeGone(address),
    });
    if (this.notificationCheckMs !== false) {
      this.notificationTimer = setInterval(() => void this.checkNotifications(), this.notificationCheckMs);
      this.notificationTimer.unref();
    }
  }

  /** Checks (and in `auto` mode sets) one node's flags and makes sure it has a subscriber. Throws on connection failures. */
  private async setUpNode(node: RedisNode): Promise<void> {
    if (this.closed) return;
    const state = await this.enableNotifications(node);
    this.nodeNotifications.set(node.address, state.ok ? 'on' : 'refused');
    if (!state.ok) this.reportRefusal(node.address, state.reason);
    await this.subscribe(node);
  }

  /** {@link setUpNode} in the background, at most one at a time per node; failures wait for the next event or check. */
  private checkNode(node: RedisNode): Promise<void> {
    const running = this.nodeChecks.get(node.address);
    if (running) return running;
    const check = this.setUpNode(node)
      .catch(() => undefined)
      .finally(() => this.nodeChecks.delete(node.address));
    this.nodeChecks.set(node.address, check);
    return check;
  }

  /**
   * The periodic check: every node's flags, and a live subscriber for each. On a cluster, the
   * topology is read first, so a node that joined or came back is found even without traffic.
   */
  private async checkNotifications(): Promise<void> {
    if (this.closed) return;
    try {
      await this.commands.refreshTopology();
      const nodes = await this.commands.masters();
      await Promise.all(nodes.map((node) => this.checkNode(node)));
    } catch {
      // The next check or (re)connect tries again.
    }
  }

  /** A node left the cluster's topology: its state and subscriber go; it is set up again when it is back. */
  private nodeGone(address: string): void {
    this.nodeNotifications.delete(address);
    const subscriber = this.subscribers.get(address);
    if (subscriber) {
      this.subscribers.delete(address);
      void subscriber.close().catch(() => undefined);
    }
  }

  /**
   * Adds `E` and `x` to notify-keyspace-events (keeping the other flags). `ok: false` when the
   * server refuses (a reply error, such as CONFIG being disabled or not permitted) or, in
   * `existing` mode, lacks the flags; connection failures and timeouts throw.
   */
  private async enableNotifications(node: RedisNode): Promise<{ ok: true } | { ok: false; reason: string }> {
    let flags: string;
    try {
      flags = await withDeadline(node.configGet('notify-keyspace-events'), this.commandTimeoutMs);
    } catch (err) {
      if (this.commands.isReplyError(err)) return { ok: false, reason: `CONFIG GET failed: ${(err as Error).message}` };
      throw err;
    }
    let wanted = flags;
    if (!wanted.includes('E')) wanted += 'E';
    if (!wanted.includes('x') && !wanted.includes('A')) wanted += 'x';
    if (wanted === flags) return { ok: true };
    if (this.notificationMode === 'existing') return { ok: false, reason: `notify-keyspace-events is '${flags}'` };
    try {
      await withDeadline(node.configSet('notify-keyspace-events', wanted), this.commandTimeoutMs);
      return { ok: true };
    } catch (err) {
      if (this.commands.isReplyError(err)) return { ok: false, reason: `CONFIG SET failed: ${(err as Error).message}` };
      throw err;
    }
  }

  private reportRefusal(address: string, reason: string): void {
    if (this.refusalReported) return;
    this.refusalReported = true;
    const log = this.options.logger ?? console.warn;
    log(
      `sessiongen: Redis at ${address} will not send expired events (${reason}). Sessions still expire, but ` +
        'expiry listeners and WebSocket closes get no event; add Ex to notify-keyspace-events in the server configuration ' +
        '(on a managed Redis, its parameter group). This warning is given once.',
    );
  }

  /** One subscriber connection per node, which the client reconnects and resubscribes; a failed one is replaced at the next check. */
  private async subscribe(node: RedisNode): Promise<void> {
    const existing = this.subscribers.get(node.address);
    if ((existing && existing.alive) || this.closed) return;
    const subscription = await node.subscribeExpired(this.onExpiredKey);
    if (this.closed || (this.subscribers.get(node.address)?.alive ?? false)) {
      await subscription.close();
      return;
    }
    this.subscribers.set(node.address, subscription);
  }

  private readonly onExpiredKey = (key: string): void => {
    if (!key.startsWith(this.clientPrefix)) return;
    const id = this.keys.sessionIdOf(key.slice(this.clientPrefix.length));
    if (id === null) return;
    for (const listener of this.expiryListeners) listener(id);
  };
}

function positiveOrFalse(value: number | false | undefined, fallback: number, what: string): number | false {
  if (value === undefined) return fallback;
  if (value === false) return false;
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${what} must be a positive number of milliseconds or false, got ${value}`);
  return value;
}
