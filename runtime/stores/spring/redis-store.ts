import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { IndexDescriptor, IndexValue, SessionDescriptor } from '../../core/descriptor.js';
import { SessionStoreError } from '../../core/errors.js';
import { DEFAULT_ID_FORWARDING_MS, type ListIdsOptions, type SessionRecord, type SessionStore, type SessionWrite, type StoreExpiryListener, type WriteOutcome } from '../../core/store.js';
import { SPRING_PRINCIPAL_NAME_INDEX_NAME, SpringAttributeNames } from './attributes.js';
import {
  SPRING_ATTRIBUTE_PREFIX,
  SPRING_HASH_GRACE_SECONDS,
  SPRING_KEYSPACE_FLAGS,
  SPRING_REDIS_FIELDS,
  SpringRedisKeys,
  springAttributeField,
  springBucketMember,
  springMember,
  type SpringRedisExpirations,
  type SpringRedisRepository,
} from './redis-layout.js';
import { SPRING_DELETE_SCRIPT, SPRING_EXPIRED_SCRIPT, SPRING_MOVED_SCRIPT, SPRING_SAVE_SCRIPT } from './redis-scripts.js';
import { SpringLayoutError, springNamesOf } from './spring-names.js';
import { decodeSpringValue, springJson } from './values.js';

export interface SpringRedisStoreOptions {
  /** Overrides the schema's Spring namespace (`descriptor.spring.namespace`), e.g. per test run. */
  namespace?: string;
  /** Overrides the schema's choice of Spring repository: `indexed` or `plain`. */
  repository?: SpringRedisRepository;
  /** Overrides the schema's expiry tracking of the indexed repository: `minute` or `sorted-set`. */
  expirations?: SpringRedisExpirations;
  /**
   * Keyspace notifications, for expired events (and, indexed, for Spring's own listeners): `auto`
   * (default) adds what is missing of `Egx` (indexed) or `Ex` (plain) with CONFIG SET; `existing`
   * only checks; `off` subscribes to nothing.
   */
  keyspaceNotifications?: 'auto' | 'existing' | 'off';
  /**
   * Indexed flavour: every this many ms (with jitter), touch the shadow keys of the sessions due to
   * expire, as Spring's cleanup task does, so Redis expires them (and events fire) on time even
   * where no Java app runs. 0 or false: off. Default 60 000.
   */
  cleanupIntervalMs?: number | false;
  /** Where a refused CONFIG SET is reported (once). Default `console.warn`. */
  logger?: (message: string) => void;
}

/** What the Spring Redis store can and cannot do, by the nature of Spring's layout (see the README). */
export interface SpringRedisCapabilities {
  /** Finds sessions by principal name (the indexed repository keeps a principal set; the plain one none). */
  readonly principalIndex: boolean;
  /** Spring's Redis layout has no index besides the principal's. */
  readonly secondaryIndexes: false;
  /** No key has a hash tag: a session's keys live in different Cluster slots. */
  readonly cluster: false;
}

interface Script {
  readonly lua: string;
  readonly sha: string;
}
const script = (lua: string): Script => ({ lua, sha: createHash('sha1').update(lua).digest('hex') });
const SCRIPTS = { save: script(SPRING_SAVE_SCRIPT), delete: script(SPRING_DELETE_SCRIPT), expired: script(SPRING_EXPIRED_SCRIPT), moved: script(SPRING_MOVED_SCRIPT) };

/** Ids the store sends to Redis: what Spring's and sessiongen's generators make, and nothing a key could trip on. */
const USABLE_ID = /^[A-Za-z0-9._-]{1,128}$/;
const GRACE_MS = SPRING_HASH_GRACE_SECONDS * 1000;
/** How many id changes in a row a forwarded write follows. */
const MAX_FORWARDS = 8;

/**
 * Sessions in Spring Session's Redis layout, shared with a Java app that runs
 * `RedisIndexedSessionRepository` (`indexed`) or `RedisSessionRepository` (`plain`) with the JSON
 * serializer `generated/spring/LAYOUT.md` shows. It writes what Spring writes — the hash, and for
 * the indexed repository the shadow key, the expiry tracking, the principal set and the created
 * event — each save in one Lua script, so a save is atomic where Spring's are not.
 *
 * Where sessiongen's own layout does better, Spring's cannot: a Redis Cluster is refused (no hash
 * tags), only the principal index exists, and an id change is a `RENAME`.
 */
export class SpringRedisSessionStore implements SessionStore {
  readonly kind = 'spring-redis';
  readonly compat = 'spring' as const;
  readonly keys: SpringRedisKeys;
  readonly repository: SpringRedisRepository;
  readonly expirations: SpringRedisExpirations;
  readonly capabilities: SpringRedisCapabilities;
  private readonly names: SpringAttributeNames;
  private readonly db: number;
  private readonly expiryListeners: StoreExpiryListener[] = [];
  private subscriber: Redis | undefined;
  private cleanupTimer: ReturnType<typeof setTimeout> | undefined;
  private refusalReported = false;
  private closed = false;

  /** Prefer {@link SpringRedisSessionStore.open}, which also subscribes to expired events. */
  constructor(
    readonly descriptor: SessionDescriptor,
    readonly client: Redis,
    private readonly options: SpringRedisStoreOptions = {},
  ) {
    const spring = springNamesOf(descriptor, 'SpringRedisSessionStore');
    if ((client as { isCluster?: boolean }).isCluster === true) {
      throw new TypeError(
        "SpringRedisSessionStore cannot run on a Redis Cluster: Spring Session's keys carry no hash tag, so one session's keys live in " +
          "different slots and no save can be atomic there; use a standalone Redis (with replicas), or sessiongen's own layout (RedisSessionStore), which is cluster-safe",
      );
    }
    const clientOptions = client.options as { keyPrefix?: string; autoResendUnfulfilledCommands?: boolean; db?: number };
    if (clientOptions.keyPrefix) throw new TypeError('SpringRedisSessionStore needs an ioredis client without keyPrefix: Spring reads the keys as they are named');
    if (clientOptions.autoResendUnfulfilledCommands !== false) {
      throw new TypeError('SpringRedisSessionStore needs an ioredis client created with autoResendUnfulfilledCommands: false; use createRedisSessionClient()');
    }
    this.db = clientOptions.db ?? 0;
    this.keys = new SpringRedisKeys(options.namespace ?? spring.namespace);
    this.repository = options.repository ?? spring.redisRepository;
    this.expirations = options.expirations ?? spring.redisExpirations;
    this.names = new SpringAttributeNames(descriptor);
    this.capabilities = { principalIndex: this.repository === 'indexed' && this.names.principal !== undefined, secondaryIndexes: false, cluster: false };
    const every = options.cleanupIntervalMs ?? 60_000;
    if (every && this.repository === 'indexed') this.scheduleCleanup(every);
  }

  /** Opens the store and, unless turned off, subscribes to expired events. */
  static async open(descriptor: SessionDescriptor, client: Redis, options: SpringRedisStoreOptions = {}): Promise<SpringRedisSessionStore> {
    const store = new SpringRedisSessionStore(descriptor, client, options);
    try {
      await store.startNotifications(options.keyspaceNotifications ?? 'auto');
    } catch (err) {
      await store.close();
      throw new SessionStoreError(store.kind, 'open', err);
    }
    return store;
  }

  async load(id: string): Promise<SessionRecord | null> {
    if (!USABLE_ID.test(id)) return null;
    try {
      return this.parse(id, await this.client.hgetallBuffer(this.keys.session(id)));
    } catch (err) {
      throw this.fail('load', err);
    }
  }

  async write(write: SessionWrite): Promise<WriteOutcome> {
    if (!USABLE_ID.test(write.id) || (write.previousId !== undefined && !USABLE_ID.test(write.previousId))) {
      if (write.isNew) throw new SessionStoreError(this.kind, 'save', new Error('a session id must be 1 to 128 letters, digits, ., _ or -'));
      return 'gone';
    }
    try {
      // An update that finds its session moved runs again under the id it has now, following up
      // to MAX_FORWARDS markers (each id change, such as a login, is one).
      let target = write;
      for (let hop = 0; ; hop++) {
        const [code, movedTo] = (await this.run(SCRIPTS.save, this.saveKeys(target), this.saveArgs(target))) as [number, string?];
        if (code === -1) throw this.unreadableTimes(target.previousId ?? target.id);
        if (code !== 3) return code === 1 ? 'written' : code === 2 ? 'moved' : 'gone';
        if (hop >= MAX_FORWARDS || movedTo === undefined || !USABLE_ID.test(movedTo)) return 'gone';
        target = { ...write, id: movedTo };
      }
    } catch (err) {
      throw this.fail('save', err);
    }
  }

  /** Whether the id was changed, within its marker's lifetime, to one whose session lives on. */
  async isMoved(id: string, now: number = Date.now()): Promise<boolean> {
    if (!USABLE_ID.test(id)) return false;
    try {
      let at = id;
      for (let hop = 0; hop < MAX_FORWARDS; hop++) {
        const [code, next] = (await this.run(SCRIPTS.moved, [this.keys.moved(at)], [Math.floor(now), this.keys.sessionPrefix])) as [number, string?];
        if (code !== 2 || next === undefined || !USABLE_ID.test(next)) return code === 1;
        at = next;
      }
      return false;
    } catch (err) {
      throw this.fail('isMoved', err);
    }
  }

  async delete(id: string): Promise<boolean> {
    if (!USABLE_ID.test(id)) return false;
    try {
      const reply = await this.run(SCRIPTS.delete, [this.keys.session(id), this.keys.expires(id), this.keys.zset], [
        this.repository,
        springMember(id),
        springBucketMember(id),
        this.keys.principal(''),
        this.expirations,
        this.keys.bucketPrefix,
        springAttributeField(SPRING_PRINCIPAL_NAME_INDEX_NAME),
        GRACE_MS,
      ]);
      return reply === 1;
    } catch (err) {
      throw this.fail('delete', err);
    }
  }

  /**
   * The principal's sessions from Spring's principal set (members are JSON-quoted ids); members
   * whose hash is gone are removed from the set as they are found. Spring's layout has no other
   * index, and the plain repository none at all.
   */
  async findByIndex(index: IndexDescriptor, value: IndexValue): Promise<SessionRecord[]> {
    if (index.attribute !== this.names.principal || this.repository !== 'indexed') {
      throw new SessionStoreError(
        this.kind,
        'findByIndex',
        new Error(
          this.repository === 'indexed'
            ? `Spring's Redis layout keeps no index of '${index.name}', only the principal's; use the Spring JDBC store or sessiongen's own layout to find sessions by it`
            : `Spring's RedisSessionRepository (the plain flavour) keeps no index of '${index.name}', nor any other; the Java app needs RedisIndexedSessionRepository (@EnableRedisIndexedHttpSession) to find sessions by it`,
        ),
      );
    }
    if (typeof value !== 'string') return [];
    try {
      const key = this.keys.principal(value);
      const members = await this.client.smembers(key);
      const ids = members.map(memberId).filter((id): id is string => id !== null && USABLE_ID.test(id));
      if (ids.length === 0) return [];
      const pipeline = this.client.pipeline();
      for (const id of ids) pipeline.hgetallBuffer(this.keys.session(id));
      const replies = (await pipeline.exec()) ?? [];
      const records: SessionRecord[] = [];
      const gone: string[] = [];
      ids.forEach((id, i) => {
        const [err, hash] = replies[i] ?? [new Error('no reply'), null];
        if (err) throw err;
        const record = this.parse(id, hash as Record<string, Buffer>);
        if (record) records.push(record);
        else gone.push(springMember(id));
      });
      if (gone.length > 0) await this.client.srem(key, ...gone);
      return records;
    } catch (err) {
      throw this.fail('findByIndex', err);
    }
  }

  /**
   * The ids of the session hashes (SCAN), page by page; each page's timing fields are read in one
   * pipeline, so that expired sessions and deleted ones (kept a while with a timeout of 0) are left out.
   */
  async *listIds(options: ListIdsOptions): AsyncIterable<string> {
    const count = Math.max(1, Math.floor(options.pageSize ?? 500));
    const pattern = `${this.keys.sessionPrefix.replace(/[*?[\]\\]/g, (c) => `\\${c}`)}*`;
    let cursor = '0';
    do {
      let ids: string[];
      let live: boolean[];
      try {
        const [next, keys] = await this.client.scan(cursor, 'MATCH', pattern, 'COUNT', count);
        cursor = next;
        ids = keys
          .filter((key) => key !== this.keys.zset)
          .map((key) => this.keys.sessionIdOf(key))
          .filter((id): id is string => id !== null);
        const pipeline = this.client.pipeline();
        const indexed = this.repository === 'indexed';
        for (const id of ids) {
          pipeline.hmget(this.keys.session(id), SPRING_REDIS_FIELDS.lastAccessedTime, SPRING_REDIS_FIELDS.maxInactiveInterval);
          // The indexed layout's hash outlives its session by a grace; its shadow key expires with it (an absolute timeout's expiry too).
          if (indexed) pipeline.exists(this.keys.expires(id));
        }
        const replies = ids.length > 0 ? ((await pipeline.exec()) ?? []) : [];
        const step = indexed ? 2 : 1;
        live = ids.map((_, i) => {
          const [err, fields] = replies[i * step]!;
          if (err) throw err;
          const [accessed, timeout] = (fields as Array<string | null>).map((field) => (field === null ? Number.NaN : Number(field)));
          const idle = timeout! < 0 || (timeout! > 0 && accessed! + timeout! * 1000 > options.now);
          if (!indexed) return idle;
          const [shadowErr, shadow] = replies[i * step + 1]!;
          if (shadowErr) throw shadowErr;
          return idle && shadow === 1;
        });
      } catch (err) {
        throw this.fail('listIds', err);
      }
      for (let i = 0; i < ids.length; i++) if (live[i]) yield ids[i]!;
    } while (cursor !== '0');
  }

  onExpired(listener: StoreExpiryListener): void {
    this.expiryListeners.push(listener);
  }

  /**
   * Indexed flavour: touches the shadow keys of the sessions due by now (the current and previous
   * minute buckets, or the sorted set's first 100), as Spring's cleanup task does: reading a key
   * past its TTL makes Redis expire it at once, which fires the expired events. Returns how many
   * keys it touched.
   */
  async cleanupExpired(now: number = Date.now()): Promise<number> {
    if (this.repository !== 'indexed') return 0;
    try {
      let ids: string[];
      if (this.expirations === 'sorted-set') {
        ids = (await this.client.zrangebyscore(this.keys.zset, '-inf', now, 'LIMIT', 0, 100)).map(memberId).filter((id): id is string => id !== null);
      } else {
        ids = [];
        const minute = Math.floor(now / 60_000) * 60_000;
        for (const bucket of [minute - 60_000, minute]) {
          const key = this.keys.bucket(bucket);
          const members = await this.client.smembers(key);
          await this.client.del(key);
          for (const member of members) {
            const text = memberId(member);
            if (text?.startsWith('expires:')) ids.push(text.slice('expires:'.length));
          }
        }
      }
      const valid = ids.filter((id) => USABLE_ID.test(id));
      if (valid.length > 0) await this.client.exists(...valid.map((id) => this.keys.expires(id)));
      return valid.length;
    } catch (err) {
      throw this.fail('cleanup', err);
    }
  }

  /** Stops the cleanup timer and closes the subscriber connection. The client is the caller's to close. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.cleanupTimer) clearTimeout(this.cleanupTimer);
    this.cleanupTimer = undefined;
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    if (subscriber) await subscriber.quit().catch(() => subscriber.disconnect());
  }

  // ---------------------------------------------------------------------------------------------

  private saveKeys(write: SessionWrite): string[] {
    const source = write.previousId ?? write.id;
    return [this.keys.session(source), this.keys.session(write.id), this.keys.expires(source), this.keys.expires(write.id), this.keys.zset, this.keys.moved(source)];
  }

  private saveArgs(write: SessionWrite): Array<string | number> {
    const source = write.previousId ?? write.id;
    const principal = this.names.principal;
    const principalChanged = principal !== undefined && (Object.prototype.hasOwnProperty.call(write.set, principal) || write.removed.includes(principal));
    const newPrincipal = principal !== undefined ? write.set[principal] : undefined;
    const fields: Array<string | Buffer> = [
      SPRING_REDIS_FIELDS.lastAccessedTime,
      String(write.lastAccessedTime),
      SPRING_REDIS_FIELDS.maxInactiveInterval,
      String(write.maxInactiveInterval),
    ];
    if (write.isNew) fields.push(SPRING_REDIS_FIELDS.creationTime, String(write.creationTime));
    const created: Record<string, unknown> = write.isNew
      ? { creationTime: write.creationTime, maxInactiveInterval: write.maxInactiveInterval, lastAccessedTime: write.lastAccessedTime }
      : {};
    for (const [name, value] of Object.entries(write.set)) {
      const field = springAttributeField(this.names.stored(name));
      fields.push(field, springJson(value));
      if (write.isNew) created[field] = value;
    }
    const removed = write.removed.map((name) => springAttributeField(this.names.stored(name)));
    // The repository's expiry: the idle one, or an absolute timeout's when that comes first.
    const expiresAt = write.expiresAt === null ? -1 : write.expiresAt;
    return [
      this.repository,
      write.isNew ? '1' : '0',
      Math.floor(write.now),
      springMember(write.id),
      springMember(source),
      springBucketMember(write.id),
      springBucketMember(source),
      write.maxInactiveInterval,
      expiresAt,
      principalChanged ? '1' : '0',
      typeof newPrincipal === 'string' ? newPrincipal : '',
      this.keys.principal(''),
      this.expirations,
      this.keys.bucketPrefix,
      springAttributeField(SPRING_PRINCIPAL_NAME_INDEX_NAME),
      write.isNew && this.repository === 'indexed' ? this.keys.created(this.db, write.id) : '',
      write.isNew && this.repository === 'indexed' ? springJson(created) : '',
      GRACE_MS,
      write.id,
      write.forwardingMs ?? DEFAULT_ID_FORWARDING_MS,
      fields.length / 2,
      ...(fields as string[]),
      removed.length,
      ...removed,
    ];
  }

  /** A session hash as a record: null when empty or partial; refused values listed with their reasons. */
  private parse(id: string, hash: Record<string, Buffer>): SessionRecord | null {
    const creation = hash[SPRING_REDIS_FIELDS.creationTime];
    const accessed = hash[SPRING_REDIS_FIELDS.lastAccessedTime];
    const timeout = hash[SPRING_REDIS_FIELDS.maxInactiveInterval];
    if (creation === undefined || accessed === undefined || timeout === undefined) return null;
    const times = [creation, accessed, timeout].map((bytes) => {
      const decoded = decodeSpringValue(bytes, 'a session time', 'redis');
      return decoded.ok && typeof decoded.value === 'number' && Number.isSafeInteger(decoded.value) ? decoded.value : undefined;
    });
    if (times.includes(undefined)) throw this.unreadableTimes(id);
    const attributes: Record<string, unknown> = {};
    let refused: Record<string, string> | undefined;
    for (const [field, bytes] of Object.entries(hash)) {
      if (!field.startsWith(SPRING_ATTRIBUTE_PREFIX) || bytes.length === 0) continue;
      const name = this.names.schema(field.slice(SPRING_ATTRIBUTE_PREFIX.length));
      const decoded = decodeSpringValue(bytes, `attribute '${name}' of session ${id}`, 'redis');
      if (decoded.ok) {
        attributes[name] = decoded.value;
      } else {
        (refused ??= {})[name] = decoded.reason;
        if (decoded.found !== undefined) attributes[name] = decoded.found;
      }
    }
    const record: SessionRecord = { id, creationTime: times[0]!, lastAccessedTime: times[1]!, maxInactiveInterval: times[2]!, attributes };
    if (refused) record.refused = refused;
    return record;
  }

  private unreadableTimes(id: string): SessionStoreError {
    return new SessionStoreError(
      this.kind,
      'load',
      new SpringLayoutError(
        `session ${id} keeps its times (creationTime, lastAccessedTime, maxInactiveInterval) in a form other than JSON numbers: ` +
          `the Java app writes with Spring Session's default serializer (Java serialization) or with Jackson type ids; give it a ` +
          `springSessionDefaultRedisSerializer bean that writes plain JSON (the one generated/spring/LAYOUT.md shows)`,
      ),
    );
  }

  private async run(target: Script, keys: string[], args: Array<string | number>): Promise<unknown> {
    try {
      return await this.client.evalsha(target.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return await this.client.eval(target.lua, keys.length, ...keys, ...args);
    }
  }

  private fail(operation: string, err: unknown): SessionStoreError {
    return err instanceof SessionStoreError ? err : new SessionStoreError(this.kind, operation, err);
  }

  private scheduleCleanup(every: number): void {
    const next = every / 2 + Math.random() * every;
    this.cleanupTimer = setTimeout(() => {
      this.cleanupExpired()
        .catch((err) => console.error('sessiongen: Spring Redis cleanup failed:', (err as Error).message))
        .finally(() => {
          if (this.cleanupTimer && !this.closed) this.scheduleCleanup(every);
        });
    }, next);
    this.cleanupTimer.unref();
  }

  // --- keyspace notifications ------------------------------------------------------------------

  /**
   * Adds the flags Spring needs (`Egx` indexed, `Ex` plain) to notify-keyspace-events where
   * allowed, and subscribes to `__keyevent@<db>__:expired`: the indexed flavour's shadow keys and
   * the plain flavour's hashes. The flags are checked again whenever the subscriber reconnects.
   */
  private async startNotifications(mode: 'auto' | 'existing' | 'off'): Promise<void> {
    if (mode === 'off') return;
    await this.enableNotifications(mode);
    const subscriber = this.client.duplicate({ lazyConnect: false, enableOfflineQueue: true, autoResubscribe: true, commandTimeout: undefined });
    this.subscriber = subscriber;
    subscriber.on('error', () => undefined);
    subscriber.on('ready', () => {
      if (!this.closed) void this.enableNotifications(mode).catch(() => undefined);
    });
    subscriber.on('message', (_channel: string, key: string) => void this.onExpiredKey(key));
    await subscriber.subscribe(`__keyevent@${this.db}__:expired`);
  }

  private async enableNotifications(mode: 'auto' | 'existing'): Promise<void> {
    const wantedFlags = this.repository === 'indexed' ? SPRING_KEYSPACE_FLAGS : (['E', 'x'] as const);
    let flags: string;
    try {
      flags = ((await this.client.config('GET', 'notify-keyspace-events')) as string[])[1] ?? '';
    } catch (err) {
      return this.reportRefusal(`CONFIG GET failed: ${(err as Error).message}`);
    }
    let wanted = flags;
    for (const flag of wantedFlags) if (!wanted.includes(flag) && !(flag !== 'E' && wanted.includes('A'))) wanted += flag;
    if (wanted === flags) return;
    if (mode === 'existing') return this.reportRefusal(`notify-keyspace-events is '${flags}'`);
    try {
      await this.client.config('SET', 'notify-keyspace-events', wanted);
    } catch (err) {
      this.reportRefusal(`CONFIG SET failed: ${(err as Error).message}`);
    }
  }

  private reportRefusal(reason: string): void {
    if (this.refusalReported) return;
    this.refusalReported = true;
    (this.options.logger ?? console.warn)(
      `sessiongen: Redis will not send the keyspace events Spring Session's layout needs (${reason}). Sessions still expire, but expired ` +
        `events (sessiongen's and the Java app's) do not fire; add ${this.repository === 'indexed' ? 'Egx' : 'Ex'} to notify-keyspace-events in the server configuration.`,
    );
  }

  private async onExpiredKey(key: string): Promise<void> {
    const id = this.repository === 'indexed' ? this.keys.expiresIdOf(key) : this.keys.sessionIdOf(key);
    if (id === null) return;
    if (this.repository === 'indexed') {
      await this.run(SCRIPTS.expired, [this.keys.session(id), this.keys.zset], [
        springMember(id),
        springBucketMember(id),
        this.keys.principal(''),
        this.expirations,
        this.keys.bucketPrefix,
        springAttributeField(SPRING_PRINCIPAL_NAME_INDEX_NAME),
      ]).catch(() => undefined);
    }
    for (const listener of this.expiryListeners) listener(id);
  }
}

/** A set member as Spring's JSON serializer writes it (`"<text>"`), or a raw one; null when unreadable. */
function memberId(member: string): string | null {
  if (!member.startsWith('"')) return member;
  try {
    const value: unknown = JSON.parse(member);
    return typeof value === 'string' ? value : null;
  } catch {
    return null;
  }
}
