import { randomUUID } from 'node:crypto';
import type * as HazelcastModule from 'hazelcast-client';
import type { Client, ClientConfig, HazelcastJsonValue, IMap } from 'hazelcast-client';
import type { IndexDescriptor, IndexValue, SessionDescriptor } from '../../core/descriptor.js';
import { SessionStoreError } from '../../core/errors.js';
import { isExpired } from '../../core/expiry.js';
import { DEFAULT_ID_FORWARDING_MS, type ListIdsOptions, type SessionRecord, type SessionStore, type SessionWrite, type StoreExpiryListener, type WriteOutcome } from '../../core/store.js';
import { loadOptionalDependency } from '../../core/optional-dependency.js';
import { decodeHazelcastDocument, decodeHazelcastMoveMarker, encodeHazelcastDocument, encodeHazelcastMoveMarker, hazelcastMovedIdsMap } from './layout.js';
import type { HazelcastSessionDocument, HazelcastSessionMapping } from './mapping.js';

let hazelcastModule: typeof HazelcastModule | undefined;
/** hazelcast-client, loaded when the first client or store needs it. */
function hazelcast(): typeof HazelcastModule {
  return (hazelcastModule ??= loadOptionalDependency<typeof HazelcastModule>('hazelcast-client', 'the Hazelcast session store'));
}

function jsonValue(text: string): HazelcastJsonValue {
  return new (hazelcast().HazelcastJsonValue)(text);
}

export interface HazelcastStoreOptions {
  /**
   * How many last-read session values the store keeps as compare-and-set bases, so that a
   * load-change-save cycle does not read the session twice. A stale base only costs one extra read
   * (the compare-and-set fails and the store reads again). Default 4096; 0 turns it off.
   */
  baseCacheSize?: number;
  /** How many times a save retries a compare-and-set lost to another writer. Default 500. */
  maxCasAttempts?: number;
  /** Subscribe to the map's expired entries (an entry listener) and report them. Default true. */
  expiryEvents?: boolean;
  /**
   * Check once, at open, that a write without TTL gets the map's configured TTL
   * (`mapping.mapTtlSeconds`); when it does, a save whose TTL equals it skips `setTtl`. When the
   * member runs another map config, every save sets its TTL. Default true.
   */
  probeMapTtl?: boolean;
  /** Shut the client down in `close()` (for clients the store's opener made). Default false. */
  ownsClient?: boolean;
}

/** A connected hazelcast-client instance. */
export type HazelcastClient = Client;

type SessionMap = IMap<string, HazelcastJsonValue>;
/** Move markers: old id → `{ to, until }` (JSON text), one entry per recent id change. */
type MovedMap = IMap<string, string>;

/** Keys the store writes for itself (the TTL probe): never a session id, skipped by listeners. */
const PROBE_PREFIX = '__sessiongen_probe__:';
/** How many id changes in a row a forwarded write follows (each login is one). */
const MAX_FORWARDS = 8;

/**
 * Sessions in a Hazelcast IMap, through hazelcast-client, with nothing of ours on the members:
 *
 * - one `HazelcastJsonValue` per session; index fields are top-level JSON fields indexed by the
 *   generated member config, and finders are predicates the members evaluate on those indexes;
 * - per-entry TTL = the time left until the session expires, reset by every save (0 = never);
 * - saves are deltas merged into the stored document with `replaceIfSame` (compare-and-set) and
 *   retried when another writer won; saves of one session in one process are queued so they do
 *   not race each other at all, so concurrent changes to different attributes are all kept;
 * - `changeSessionId` claims the old id with a marker in `<map>_moved_ids` (`putIfAbsent`, old id →
 *   new id, TTL = the write's `forwardingMs`), writes the new entry, then removes the old one
 *   conditionally (compare-and-set; a lost race merges and tries again), so at every moment either
 *   the old entry or the new one with its marker exists. An update that finds its entry gone
 *   follows the marker and merges into the new id's entry;
 * - expired (and evicted) entries come from an entry listener and are reported through `onExpired`.
 *   Created and deleted events are the repository's, so there is no double reporting.
 */
export class HazelcastSessionStore implements SessionStore {
  readonly kind = 'hazelcast';
  private readonly expiryListeners: StoreExpiryListener[] = [];
  /** Compare-and-set bases, in two generations: lookups try both, a full young one becomes the old one. */
  private young = new Map<string, string>();
  private old = new Map<string, string>();
  /** Per-id tail of this process's queued saves. */
  private readonly tails = new Map<string, Promise<void>>();
  private readonly baseCacheSize: number;
  private readonly maxCasAttempts: number;
  private listenerId: string | undefined;
  private mapTtlApplies = false;
  private closed = false;

  private constructor(
    readonly descriptor: SessionDescriptor,
    readonly mapping: HazelcastSessionMapping,
    readonly client: HazelcastClient,
    private readonly map: SessionMap,
    private readonly moved: MovedMap,
    private readonly options: HazelcastStoreOptions,
  ) {
    this.baseCacheSize = options.baseCacheSize ?? 4096;
    this.maxCasAttempts = options.maxCasAttempts ?? 500;
  }

  /** Opens the store on a connected client: gets the map, subscribes to expiry, probes the map TTL. */
  static async open(
    descriptor: SessionDescriptor,
    mapping: HazelcastSessionMapping,
    client: HazelcastClient,
    options: HazelcastStoreOptions = {},
  ): Promise<HazelcastSessionStore> {
    for (const index of descriptor.indexes) {
      if (!mapping.indexFields.some((field) => field.index === index.name)) {
        throw new Error(`hazelcast mapping for ${mapping.map} has no field for index '${index.name}': regenerate it from the same schema`);
      }
    }
    try {
      const map = await client.getMap<string, HazelcastJsonValue>(mapping.map);
      const moved = await client.getMap<string, string>(hazelcastMovedIdsMap(mapping.map));
      const store = new HazelcastSessionStore(descriptor, mapping, client, map, moved, options);
      if (options.expiryEvents ?? true) await store.listen();
      if (options.probeMapTtl ?? true) await store.probeMapTtl();
      return store;
    } catch (err) {
      throw new SessionStoreError('hazelcast', `opening map ${mapping.map}`, err);
    }
  }

  async load(id: string): Promise<SessionRecord | null> {
    const text = await this.read(id, 'load');
    return text === null ? null : toRecord(decodeHazelcastDocument(text));
  }

  write(write: SessionWrite): Promise<WriteOutcome> {
    return this.queued(write.previousId ?? write.id, () => this.apply(write));
  }

  async isMoved(id: string, now: number): Promise<boolean> {
    let at = id;
    for (let hop = 0; hop < MAX_FORWARDS; hop++) {
      const to = await this.movedTo(at, now);
      if (to === null) return false;
      const text = await this.read(to, 'isMoved');
      if (text !== null) {
        const document = decodeHazelcastDocument(text);
        return !isExpired(document.lastAccessedTime, document.maxInactiveInterval, now);
      }
      at = to;
    }
    return false;
  }

  /** The id a live marker says `id` was changed to, or null. */
  private async movedTo(id: string, now: number): Promise<string | null> {
    const value = await this.call('isMoved', () => this.moved.get(id));
    if (typeof value !== 'string') return null;
    const marker = decodeHazelcastMoveMarker(value);
    return marker !== null && marker.until > now ? marker.to : null;
  }

  async delete(id: string): Promise<boolean> {
    try {
      const old = await this.map.remove(id);
      this.forget(id);
      return old !== null && old !== undefined;
    } catch (err) {
      throw new SessionStoreError('hazelcast', 'delete', err);
    }
  }

  async findByIndex(index: IndexDescriptor, value: IndexValue): Promise<SessionRecord[]> {
    const field = this.mapping.indexFields.find((candidate) => candidate.index === index.name);
    if (!field) throw new Error(`hazelcast mapping has no field for index '${index.name}'`);
    try {
      const values = await this.map.valuesWithPredicate(hazelcast().Predicates.equal(field.field, value));
      return values.toArray().map((stored) => toRecord(decodeHazelcastDocument(textOf(stored))));
    } catch (err) {
      throw new SessionStoreError('hazelcast', `findByIndex(${index.name})`, err);
    }
  }

  /**
   * The map's keys, a page at a time (a paging predicate: the members sort the keys and send one
   * page per call, after the last key of the page before). Entries leave by their TTL, which the
   * member keeps in whole seconds, so a session may still be listed up to a second after it expired.
   */
  async *listIds(options: ListIdsOptions): AsyncIterable<string> {
    const pageSize = Math.max(1, Math.floor(options.pageSize ?? 500));
    const paging = hazelcast().Predicates.paging(hazelcast().Predicates.alwaysTrue(), pageSize);
    for (;;) {
      const keys = await this.call('listIds', () => this.map.keySetWithPredicate(paging));
      for (const key of keys) if (!key.startsWith(PROBE_PREFIX)) yield key;
      if (keys.length < pageSize) return;
      paging.nextPage();
    }
  }

  onExpired(listener: StoreExpiryListener): void {
    this.expiryListeners.push(listener);
  }

  /** Whether a save whose TTL equals the map's configured TTL skips `setTtl` (set by the open probe). */
  get skipsMatchingTtl(): boolean {
    return this.mapTtlApplies;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.listenerId !== undefined) await this.map.removeEntryListener(this.listenerId).catch(() => false);
    } finally {
      this.young.clear();
      this.old.clear();
      if (this.options.ownsClient) await this.client.shutdown();
    }
  }

  // --- writes ----------------------------------------------------------------------------------

  private async apply(write: SessionWrite): Promise<WriteOutcome> {
    if (write.isNew) {
      const empty = { id: write.id, creationTime: write.creationTime, lastAccessedTime: 0, maxInactiveInterval: 0, expiresAt: null, attributes: {} };
      const text = encodeHazelcastDocument(this.mapping, applied(empty, write));
      await this.call('write', () => this.map.set(write.id, jsonValue(text), ttlOf(write)));
      this.remember(write.id, text);
      return 'written';
    }

    if (write.previousId !== undefined) return this.move(write);
    let target = write;
    for (let hop = 0; ; hop++) {
      const outcome = await this.update(target);
      if (outcome !== 'missing') return outcome;
      // Gone under this id: another request may have changed the id since this one loaded it.
      const to = hop < MAX_FORWARDS ? await this.movedTo(target.id, write.now) : null;
      if (to === null) return 'gone';
      target = { ...write, id: to };
    }
  }

  /** A delta merged into the stored entry by compare-and-set; `missing` when there is no entry. */
  private async update(write: SessionWrite): Promise<'written' | 'gone' | 'missing'> {
    const from = write.id;
    let base = this.cachedBase(from);
    let fresh = false;
    for (let attempt = 1; attempt <= this.maxCasAttempts; attempt++) {
      if (base === undefined) {
        const read = await this.read(from, 'write');
        if (read === null) return 'missing';
        base = read;
        fresh = true;
      }
      const current = decodeHazelcastDocument(base);
      if (isExpired(current.lastAccessedTime, current.maxInactiveInterval, write.now)) {
        // A cached base may be older than the stored session: only a fresh read says it is gone.
        if (fresh) return 'gone';
        base = undefined;
        continue;
      }
      const text = encodeHazelcastDocument(this.mapping, applied(current, write));

      const replaced = await this.call('write', () => this.map.replaceIfSame(write.id, jsonValue(base!), jsonValue(text)));
      if (replaced) {
        // replaceIfSame leaves the entry with the map's configured TTL, counted from now.
        if (!this.mapTtlMatches(write)) await this.call('write', () => this.map.setTtl(write.id, ttlOf(write)));
        this.remember(write.id, text);
        return 'written';
      }
      this.forget(from);
      // Another writer (another process) won: read again and merge onto what it wrote.
      base = undefined;
      fresh = false;
      if (attempt > 2) await sleep(Math.random() * Math.min(attempt, 20));
    }
    throw new SessionStoreError('hazelcast', 'write', new Error(`session kept changing under ${this.maxCasAttempts} compare-and-set attempts`));
  }

  /**
   * An id change: claim the old id with a marker (`putIfAbsent`: a second change of the same id
   * loses, `moved`), write the new entry, then remove the old one if it is still what was merged
   * (otherwise merge again). If the old entry is gone meanwhile (deleted), undo: `gone`.
   */
  private async move(write: SessionWrite): Promise<WriteOutcome> {
    const from = write.previousId!;
    const forwardingMs = write.forwardingMs ?? DEFAULT_ID_FORWARDING_MS;
    const marker = encodeHazelcastMoveMarker({ to: write.id, until: write.now + forwardingMs });
    let claimed = false;
    let base = this.cachedBase(from);
    let fresh = false;
    for (let attempt = 1; attempt <= this.maxCasAttempts; attempt++) {
      if (base === undefined) {
        const read = await this.read(from, 'write');
        if (read === null) {
          if (claimed) {
            await this.call('write', () => this.map.delete(write.id));
            await this.call('write', () => this.moved.remove(from, marker));
            return 'gone';
          }
          return (await this.isMoved(from, write.now)) ? 'moved' : 'gone';
        }
        base = read;
        fresh = true;
      }
      const current = decodeHazelcastDocument(base);
      if (isExpired(current.lastAccessedTime, current.maxInactiveInterval, write.now)) {
        if (!fresh) {
          base = undefined;
          continue;
        }
        if (claimed) {
          await this.call('write', () => this.map.delete(write.id));
          await this.call('write', () => this.moved.remove(from, marker));
        }
        return 'gone';
      }
      if (!claimed) {
        const other = await this.call('write', () => this.moved.putIfAbsent(from, marker, Math.max(1, Math.ceil(forwardingMs / 1000)) * 1000));
        if (other !== null && other !== undefined) return 'moved';
        claimed = true;
      }
      const text = encodeHazelcastDocument(this.mapping, applied(current, write));
      await this.call('write', () => this.map.set(write.id, jsonValue(text), ttlOf(write)));
      const removed = await this.call('write', () => this.map.remove(from, jsonValue(base!)));
      this.forget(from);
      if (removed === true) {
        this.remember(write.id, text);
        return 'written';
      }
      // The old entry changed since it was read (a concurrent save): merge again.
      base = undefined;
      fresh = false;
      if (attempt > 2) await sleep(Math.random() * Math.min(attempt, 20));
    }
    throw new SessionStoreError('hazelcast', 'write', new Error(`session kept changing under ${this.maxCasAttempts} compare-and-set attempts`));
  }

  /**
   * Whether the TTL `replaceIfSame` leaves (the map's, from now) is this write's TTL to the member's
   * 1 s precision: the entry then outlives the session by less than a second, never the reverse.
   */
  private mapTtlMatches(write: SessionWrite): boolean {
    if (!this.mapTtlApplies || write.expiresAt === null || this.mapping.mapTtlSeconds <= 0) return false;
    const left = write.expiresAt - write.now;
    const mapTtl = this.mapping.mapTtlSeconds * 1000;
    return left <= mapTtl && left > mapTtl - 1000;
  }

  /** Runs this process's saves of one session one after another; other processes race by CAS. */
  private queued<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key);
    const run = previous ? previous.then(task) : task();
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return run;
  }

  // --- reads, cache, listener --------------------------------------------------------------------

  private async read(id: string, operation: string): Promise<string | null> {
    const stored = await this.call(operation, () => this.map.get(id));
    if (stored === null || stored === undefined) {
      this.forget(id);
      return null;
    }
    const text = textOf(stored);
    this.remember(id, text);
    return text;
  }

  private remember(id: string, text: string): void {
    if (this.baseCacheSize <= 0) return;
    if (this.young.size >= this.baseCacheSize / 2) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(id, text);
  }

  private cachedBase(id: string): string | undefined {
    return this.young.get(id) ?? this.old.get(id);
  }

  private forget(id: string): void {
    this.young.delete(id);
    this.old.delete(id);
  }

  private async listen(): Promise<void> {
    const expired = (event: { key: string }) => {
      const id = event.key;
      if (typeof id !== 'string' || id.startsWith(PROBE_PREFIX)) return;
      this.forget(id);
      for (const listener of this.expiryListeners) listener(id);
    };
    this.listenerId = await this.map.addEntryListener({ expired, evicted: expired }, undefined, false);
  }

  /** Writes, replaces and inspects one probe entry to learn whether `replaceIfSame` applies the map TTL we expect. */
  private async probeMapTtl(): Promise<void> {
    if (this.mapping.mapTtlSeconds <= 0) return;
    const key = PROBE_PREFIX + randomUUID();
    const first = jsonValue('{"probe":1}');
    try {
      await this.map.set(key, first, 60_000);
      await this.map.replaceIfSame(key, first, jsonValue('{"probe":2}'));
      const view = await this.map.getEntryView(key);
      this.mapTtlApplies = view !== null && Number(view.ttl.toString()) === this.mapping.mapTtlSeconds * 1000;
    } finally {
      await this.map.delete(key);
    }
  }

  private async call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw new SessionStoreError('hazelcast', operation, err);
    }
  }
}

/** Options for a client the store can use: raw JSON values back (no parse and re-stringify). */
export function hazelcastClientConfig(config: ClientConfig = {}): ClientConfig {
  return {
    ...config,
    serialization: { ...config.serialization, jsonStringDeserializationPolicy: hazelcast().JsonStringDeserializationPolicy.NO_DESERIALIZATION },
    properties: { 'hazelcast.logging.level': 'WARN', ...config.properties },
  };
}

/** Connects a client configured for the store (see {@link hazelcastClientConfig}). */
export function createHazelcastSessionClient(config: ClientConfig = {}): Promise<HazelcastClient> {
  return hazelcast().Client.newHazelcastClient(hazelcastClientConfig(config));
}

/**
 * The stored text of a value. A client left on the default (eager) JSON policy hands back parsed
 * objects; re-stringifying our own JSON output gives back the same text, so the compare-and-set
 * base stays exact either way.
 */
function textOf(stored: unknown): string {
  if (stored instanceof hazelcast().HazelcastJsonValue) return stored.toString();
  if (typeof stored === 'string') return stored;
  return JSON.stringify(stored);
}

/** The stored session with a write applied: its times, timeout and attribute delta, under the write's id. */
function applied(current: HazelcastSessionDocument, write: SessionWrite): HazelcastSessionDocument {
  const attributes = current.attributes;
  for (const name of write.removed) delete attributes[name];
  for (const [name, value] of Object.entries(write.set)) attributes[name] = value;
  return {
    id: write.id,
    creationTime: current.creationTime,
    lastAccessedTime: write.lastAccessedTime,
    maxInactiveInterval: write.maxInactiveInterval,
    expiresAt: write.expiresAt,
    attributes,
  };
}

/**
 * Per-entry TTL in ms: the time left until the session expires, rounded up to whole seconds (the
 * member keeps whole seconds and would otherwise cut it short), at least 1 s; 0 = never.
 */
function ttlOf(write: SessionWrite): number {
  if (write.expiresAt === null) return 0;
  return Math.max(1, Math.ceil((write.expiresAt - write.now) / 1000)) * 1000;
}

function toRecord(document: HazelcastSessionDocument): SessionRecord {
  return {
    id: document.id,
    creationTime: document.creationTime,
    lastAccessedTime: document.lastAccessedTime,
    maxInactiveInterval: document.maxInactiveInterval,
    attributes: document.attributes,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
