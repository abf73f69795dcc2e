import { createHash } from 'node:crypto';
import type { IndexDescriptor, IndexValue, SessionDescriptor } from '../../core/descriptor.js';
import { SessionStoreError } from '../../core/errors.js';
import { expiresAt as expiryOf, isExpired } from '../../core/expiry.js';
import {
  DEFAULT_ID_FORWARDING_MS,
  type ListIdsOptions,
  type SessionRecord,
  type SessionStore,
  type SessionWrite,
  type StoreExpiryListener,
  type WriteOutcome,
} from '../../core/store.js';
import { decodeGeodeDocument, documentOf, encodeGeodeDocument, GEODE_EXPIRY_GRACE_SECONDS, GEODE_QUERIES, geodeIndexValue } from './layout.js';
import type { GeodeMarker, GeodeSessionDocument, GeodeSessionRegions } from './mapping.js';
import { GeodeRestClient, intArgument, longArgument, stringArgument } from './rest-client.js';

export interface GeodeStoreOptions {
  /** How long one REST call may take before it fails (and the next URL is tried). Default 3000 ms. */
  requestTimeoutMs?: number;
  /**
   * Run the sweep (expired sessions reported and marked, old markers removed) every this many ms,
   * with jitter; 0 or false turns it off. Default 60 000. Safe on several instances at once: each
   * expired session is claimed by one compare-and-set, so its expired event fires once.
   */
  sweepIntervalMs?: number | false;
  /** Entries one sweep query returns. Default 500. */
  sweepBatchSize?: number;
  /**
   * How long the marker of a deleted, expired or moved session stays before the sweep removes it.
   * A save whose compare-and-set meets the marker knows the session is gone; the store re-reads a
   * session whose last read is older than `baseMaxAgeMs`, far below this. Default 60 000 ms; it
   * must stay below the region's grace ({@link GEODE_EXPIRY_GRACE_SECONDS}).
   */
  markerMs?: number;
  /** The longest a value read earlier may serve as a save's compare-and-set base without a new read. Default 5 000 ms. */
  baseMaxAgeMs?: number;
  /** How many last-read values are kept as compare-and-set bases. Default 4096; 0 turns the cache off. */
  baseCacheSize?: number;
  /** How many times a save retries a compare-and-set lost to another writer. Default 500. */
  maxCasAttempts?: number;
  /** The `fetch` the REST calls use; default the global one. */
  fetch?: typeof fetch;
}

/** How many id changes in a row a forwarded write follows (each login is one). */
const MAX_FORWARDS = 8;
/** How long a load's miss answers the `isMoved` that follows it. */
const MISS_MEMORY_MS = 1_000;
/** The longest a key may be once encoded for a URL (the servers' request line is bounded). */
const MAX_ENCODED_KEY = 4096;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** One stored entry as read: where, its exact text (the compare-and-set base) and what it says. */
interface Entry {
  region: string;
  text: string;
  doc: GeodeSessionDocument;
}

interface CachedBase extends Entry {
  at: number;
}

/**
 * Sessions in Apache Geode / GemFire regions over the Developer REST API (`fetch`, no client
 * package), with nothing of ours on the servers:
 *
 * - one JSON document (PDX on the server) per session, with the index fields at the top level and
 *   the attributes as one JSON string, so attribute names never make new PDX types;
 * - two partitioned regions from the generated cache.xml: `region`, whose `entry-time-to-live`
 *   (the schema's timeout plus a grace) cleans up, and `longRegion` for sessions that would outlive
 *   it (longer timeouts, or never expiring), which the store's sweep cleans up;
 * - saves are deltas merged into the stored document and written with the REST API's
 *   compare-and-set (`PUT ?op=CAS`), retried on the current value a conflict answers with; saves
 *   of one session in one process are queued, so concurrent changes to different attributes are
 *   all kept;
 * - deleting, expiring and moving (a new id, or the long region) replace the entry with a marker
 *   by compare-and-set, never by a plain destroy: a compare-and-set on a key that does not exist
 *   answers 200 without writing, so keys of sessions are only removed once their marker is older
 *   than any base a save may still use (`markerMs` against `baseMaxAgeMs`), and a save that meets
 *   a marker writes nothing;
 * - an id change leaves a `moved` marker that holds the session and names the new id: saves from
 *   copies loaded before the change follow it for the write's `forwardingMs` (`isMoved` tells);
 *   a move cut short between its two calls is finished by whoever follows the marker;
 * - finders and listing are named, parameterized OQL queries; ids and values are only ever
 *   arguments and encoded keys.
 */
export class GeodeSessionStore implements SessionStore {
  readonly kind = 'geode';
  readonly rest: GeodeRestClient;
  private readonly expiryListeners: StoreExpiryListener[] = [];
  private readonly bases = new Map<string, CachedBase>();
  /** What the last loads that found no session read (nothing, or a marker), for `isMoved` right after. */
  private readonly misses = new Map<string, { entry: Entry | null; at: number }>();
  private readonly tails = new Map<string, Promise<void>>();
  /** The regions a session may be in, in the order `load` looks. */
  private readonly order: readonly string[];
  private readonly expiring: string | null;
  private readonly queryIds = new Map<string, string>();
  private readonly markerMs: number;
  private readonly baseMaxAgeMs: number;
  private readonly baseCacheSize: number;
  private readonly maxCasAttempts: number;
  private readonly sweepBatchSize: number;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(
    readonly descriptor: SessionDescriptor,
    readonly regions: GeodeSessionRegions,
    urls: readonly string[],
    options: GeodeStoreOptions,
  ) {
    this.rest = new GeodeRestClient(urls, { requestTimeoutMs: options.requestTimeoutMs ?? 3_000, ...(options.fetch ? { fetch: options.fetch } : {}) });
    this.expiring = regions.entryTtlSeconds > 0 ? regions.region : null;
    this.order = this.expiring ? [this.expiring, regions.longRegion] : [regions.longRegion];
    this.markerMs = options.markerMs ?? 60_000;
    this.baseMaxAgeMs = options.baseMaxAgeMs ?? 5_000;
    this.baseCacheSize = options.baseCacheSize ?? 4096;
    this.maxCasAttempts = options.maxCasAttempts ?? 500;
    this.sweepBatchSize = options.sweepBatchSize ?? 500;
    if (this.markerMs <= this.baseMaxAgeMs * 2 || this.markerMs >= GEODE_EXPIRY_GRACE_SECONDS * 1000) {
      throw new RangeError(`markerMs must be over twice baseMaxAgeMs and under ${GEODE_EXPIRY_GRACE_SECONDS * 1000} ms`);
    }
  }

  /**
   * Opens the store on one or more REST API URLs of one cluster (`http://host:7070/geode/v1`):
   * checks that the regions exist, registers the named queries, starts the sweep.
   */
  static async open(
    descriptor: SessionDescriptor,
    regions: GeodeSessionRegions,
    urls: string | readonly string[],
    options: GeodeStoreOptions = {},
  ): Promise<GeodeSessionStore> {
    for (const index of descriptor.indexes) {
      if (!regions.indexFields.some((field) => field.index === index.name)) {
        throw new Error(`geode regions ${regions.region} have no field for index '${index.name}': regenerate them from the same schema`);
      }
    }
    const list = (typeof urls === 'string' ? urls.split(',') : [...urls]).map((url) => url.trim().replace(/\/+$/, '')).filter(Boolean);
    const store = new GeodeSessionStore(descriptor, regions, list, options);
    try {
      const present = new Set(await store.rest.regions());
      const missing = store.order.filter((region) => !present.has(region));
      if (missing.length > 0) {
        throw new Error(`region ${missing.join(' and ')} does not exist on the server: start it with the generated cache.xml (geode/cache.xml)`);
      }
      await store.defineQueries();
    } catch (err) {
      throw new SessionStoreError('geode', `opening regions ${store.order.join(', ')} at ${store.rest.url}`, err);
    }
    const every = options.sweepIntervalMs ?? 60_000;
    if (every) store.scheduleSweep(every);
    return store;
  }

  async load(id: string): Promise<SessionRecord | null> {
    if (!isKey(id)) return null;
    const entry = await this.read(id, 'load');
    if (entry && entry.doc.state === 'live') return toRecord(entry.doc);
    // The repository asks `isMoved` right after a miss: answer it from this read.
    this.misses.set(id, { entry, at: Date.now() });
    if (this.misses.size > 1024) this.misses.delete(this.misses.keys().next().value!);
    return null;
  }

  write(write: SessionWrite): Promise<WriteOutcome> {
    return this.queued(write.previousId ?? write.id, () => this.apply(write));
  }

  /**
   * Whether `id` was changed to another id less than its forwarding time ago, and the session
   * lives on there (following up to {@link MAX_FORWARDS} changes). Reads markers only to follow them.
   */
  async isMoved(id: string, now: number): Promise<boolean> {
    if (!isKey(id)) return false;
    const miss = this.misses.get(id);
    this.misses.delete(id);
    const entry = miss && Date.now() - miss.at < MISS_MEMORY_MS ? miss.entry : await this.read(id, 'isMoved');
    return entry !== null && entry.doc.state !== 'live' && (await this.forwardsToLive(entry, now));
  }

  /** Replaces the session with a `deleted` marker (by compare-and-set, so a concurrent save cannot bring it back). */
  async delete(id: string): Promise<boolean> {
    if (!isKey(id)) return false;
    this.forget(id);
    let entry = await this.read(id, 'delete');
    for (let attempt = 1; attempt <= this.maxCasAttempts; attempt++) {
      if (!entry || entry.doc.state !== 'live') return false;
      const marker = this.marker(entry.doc, 'deleted', Date.now());
      const answer = await this.call('delete', () => this.rest.cas(entry!.region, id, entry!.text, marker));
      if (answer.swapped) return true;
      entry = await this.resolve(this.entryOf(entry.region, answer.current, 'delete'), 'delete');
    }
    throw new SessionStoreError('geode', 'delete', new Error(`session kept changing under ${this.maxCasAttempts} compare-and-set attempts`));
  }

  async findByIndex(index: IndexDescriptor, value: IndexValue): Promise<SessionRecord[]> {
    const field = this.regions.indexFields.find((candidate) => candidate.index === index.name);
    if (!field) throw new Error(`geode regions have no field for index '${index.name}'`);
    const argument = geodeIndexValue(value, field.type);
    if (argument === '') return [];
    const rows = await Promise.all(
      this.order.map((region) => this.call(`findByIndex(${index.name})`, () => this.rest.query(this.queryId('byIndex', region, field.field), [stringArgument(argument)]))),
    );
    const records: SessionRecord[] = [];
    for (const row of rows.flat()) {
      const doc = this.decode(() => documentOf(row), `findByIndex(${index.name})`);
      if (doc.state === 'live') records.push(toRecord(doc));
    }
    return records;
  }

  /**
   * The live sessions' ids, region by region, a page at a time (keyset pages of a named query
   * ordered by id). A session moved to the long region while the listing runs may appear twice.
   */
  async *listIds(options: ListIdsOptions): AsyncIterable<string> {
    const pageSize = Math.max(1, Math.floor(options.pageSize ?? 500));
    for (const region of this.order) {
      let after = '';
      for (;;) {
        const rows = await this.call('listIds', () =>
          this.rest.query(this.queryId('liveIds', region), [stringArgument('live'), longArgument(options.now), stringArgument(after), intArgument(pageSize)]),
        );
        for (const row of rows) {
          if (typeof row === 'string') yield row;
        }
        if (rows.length < pageSize) break;
        after = String(rows[rows.length - 1]);
      }
    }
  }

  onExpired(listener: StoreExpiryListener): void {
    this.expiryListeners.push(listener);
  }

  /**
   * One sweep over both regions: each expired session is claimed with a compare-and-set that
   * replaces it by an `expired` marker, and reported through `onExpired` (once, across every
   * instance that sweeps); markers past their time are removed. Returns how many sessions expired.
   */
  async sweepExpired(now: number = Date.now()): Promise<number> {
    let expired = 0;
    for (const region of this.order) {
      for (;;) {
        const rows = await this.call('sweep', () => this.rest.query(this.queryId('due', region), [longArgument(now), intArgument(this.sweepBatchSize)]));
        let progress = 0;
        for (let start = 0; start < rows.length; start += 16) {
          const done = await Promise.all(rows.slice(start, start + 16).map((id) => (typeof id === 'string' ? this.sweepOne(region, id, now) : 'skipped')));
          for (const outcome of done) {
            if (outcome === 'expired') expired++;
            if (outcome !== 'skipped') progress++;
          }
        }
        if (rows.length < this.sweepBatchSize || progress === 0) break;
      }
    }
    return expired;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.bases.clear();
    this.misses.clear();
  }

  // --- writes ----------------------------------------------------------------------------------

  private async apply(write: SessionWrite): Promise<WriteOutcome> {
    if (write.isNew) {
      if (!isKey(write.id)) throw new SessionStoreError('geode', 'write', new Error('the id cannot be a Geode key (empty, not well-formed UTF-16, or too long)'));
      const region = this.regionFor(write);
      const doc = nextDocument(write, emptyDocument(write), write.id);
      const text = encodeGeodeDocument(this.regions, doc);
      await this.call('write', () => this.rest.put(region, write.id, text));
      this.remember(write.id, { region, text, doc });
      return 'written';
    }
    if (!isKey(write.id) || (write.previousId !== undefined && !isKey(write.previousId))) return 'gone';
    return write.previousId === undefined ? this.update(write) : this.changeId(write, write.previousId);
  }

  /**
   * A delta merged into the stored session by compare-and-set, retried on what a conflict answers.
   * A session whose id another request changed meanwhile is followed to its new id (the marker
   * forwards writes until its `until`); one that moves to the long region is relocated.
   */
  private async update(write: SessionWrite): Promise<WriteOutcome> {
    let id = write.id;
    let forwards = 0;
    let base: Entry | null | undefined = this.cachedBase(id, write.now);
    let fresh = false;
    for (let attempt = 1; attempt <= this.maxCasAttempts; attempt++) {
      if (base === undefined) {
        base = await this.read(id, 'write');
        fresh = true;
      }
      if (base === null) return 'gone';
      if (base.doc.state !== 'live') {
        const to = forwardTarget(base.doc, write.now);
        if (to === undefined || forwards++ >= MAX_FORWARDS) return 'gone';
        base = await this.follow(base, 'write');
        id = to;
        fresh = true;
        continue;
      }
      if (isExpired(base.doc.lastAccessedTime, base.doc.maxInactiveInterval, write.now)) {
        // A cached base may be older than the stored session: only a fresh read says it expired.
        if (fresh) return 'gone';
        base = undefined;
        continue;
      }
      const target = base.region === this.regions.longRegion ? base.region : this.regionFor(write);
      if (target !== base.region) {
        const moved = await this.move(base, write, id, target, undefined);
        if (typeof moved === 'string') return moved;
        base = moved.conflict;
        fresh = true;
        continue;
      }
      const next = nextDocument(write, base.doc, id);
      const text = encodeGeodeDocument(this.regions, next);
      const answer = await this.call('write', () => this.rest.cas(base!.region, id, base!.text, text));
      if (answer.swapped) {
        this.remember(id, { region: target, text, doc: next });
        return 'written';
      }
      // Another writer (another process) won: merge onto what it wrote, which the 409 brought.
      base = await this.resolve(this.entryOf(base.region, answer.current), 'write');
      fresh = true;
      if (attempt > 2) await sleep(Math.random() * Math.min(attempt, 20));
    }
    throw new SessionStoreError('geode', 'write', new Error(`session kept changing under ${this.maxCasAttempts} compare-and-set attempts`));
  }

  /** An id change: the old entry becomes a `moved` marker forwarding writes until `forwardingMs` from now. */
  private async changeId(write: SessionWrite, from: string): Promise<WriteOutcome> {
    const until = write.now + (write.forwardingMs ?? DEFAULT_ID_FORWARDING_MS);
    let base: Entry | null | undefined = this.cachedBase(from, write.now);
    let fresh = false;
    for (let attempt = 1; attempt <= this.maxCasAttempts; attempt++) {
      if (base === undefined) {
        base = await this.read(from, 'write');
        fresh = true;
      }
      if (base === null) return 'gone';
      // Another request changed the id first: `moved` while the session lives on under its id.
      if (base.doc.state !== 'live') return (await this.forwardsToLive(base, write.now)) ? 'moved' : 'gone';
      if (isExpired(base.doc.lastAccessedTime, base.doc.maxInactiveInterval, write.now)) {
        if (fresh) return 'gone';
        base = undefined;
        continue;
      }
      const target = base.region === this.regions.longRegion ? base.region : this.regionFor(write);
      const moved = await this.move(base, write, write.id, target, until);
      if (typeof moved === 'string') return moved;
      base = moved.conflict;
      fresh = true;
      if (attempt > 2) await sleep(Math.random() * Math.min(attempt, 20));
    }
    throw new SessionStoreError('geode', 'write', new Error(`session kept changing under ${this.maxCasAttempts} compare-and-set attempts`));
  }

  /**
   * Moves a session to `to` (a new id, or its own in the long region): first its entry becomes a
   * `moved` or `relocated` marker that holds the session and names `to` (compare-and-set on the
   * base, so a concurrent change or delete is seen: the caller merges again on the `conflict`),
   * then `to` is created from it. Whoever follows the marker while `to` is still missing (this
   * call cut short) creates it the same way, so a move cut short loses nothing.
   */
  private async move(base: Entry, write: SessionWrite, to: string, target: string, until: number | undefined): Promise<'written' | 'gone' | { conflict: Entry | null }> {
    const from = base.doc.id;
    const now = write.now;
    const doc = nextDocument(write, base.doc, to);
    const state = target === base.region ? 'moved' : 'relocated';
    const marker: GeodeMarker = until === undefined ? { at: now, to } : { at: now, to, until };
    const markerText = encodeGeodeDocument(this.regions, { ...doc, id: from, state, marker, expiresAt: Math.max(now + this.markerMs, until ?? 0) });
    const answer = await this.call('write', () => this.rest.cas(base.region, from, base.text, markerText));
    if (!answer.swapped) return { conflict: await this.resolve(this.entryOf(base.region, answer.current), 'write') };
    this.forget(from);
    // A compare-and-set on a key that no longer exists also answers 200: check the marker is there.
    const check = await this.call('write', () => this.rest.get(base.region, from));
    const placed = check === null ? null : this.decode(() => decodeGeodeDocument(check), 'write');
    if (!placed || placed.state !== state || placed.marker?.to !== to || placed.marker.at !== now) return 'gone';
    // Created here, or already by a writer that followed the marker first (from the same content).
    const text = encodeGeodeDocument(this.regions, doc);
    await this.call('write', () => this.rest.create(target, to, text));
    this.remember(to, { region: target, text, doc });
    return 'written';
  }

  /** Runs this process's saves of one session one after another; other processes race by compare-and-set. */
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

  /** The region a session belongs in: the expiring one while its time left fits that region's TTL. */
  private regionFor(write: Pick<SessionWrite, 'expiresAt' | 'now'>): string {
    if (!this.expiring || write.expiresAt === null) return this.regions.longRegion;
    const fits = (this.regions.entryTtlSeconds - GEODE_EXPIRY_GRACE_SECONDS) * 1000;
    return write.expiresAt - write.now <= fits ? this.expiring : this.regions.longRegion;
  }

  private marker(doc: GeodeSessionDocument, state: 'deleted' | 'expired', now: number): string {
    return encodeGeodeDocument(this.regions, { ...doc, state, marker: { at: now }, expiresAt: now + this.markerMs, attributes: {} });
  }

  // --- reads -----------------------------------------------------------------------------------

  /**
   * The entry of `id`: the expiring region first, then the long one (where a `relocated` marker
   * under the same id points, or where the first has nothing). Caches a live session as a
   * compare-and-set base. Markers of other kinds are returned as they are.
   */
  private async read(id: string, operation: string): Promise<Entry | null> {
    for (const region of this.order) {
      const text = await this.call(operation, () => this.rest.get(region, id));
      if (text === null) continue;
      return this.resolve(this.entryOf(region, text, operation), operation);
    }
    this.forget(id);
    return null;
  }

  /** An entry, or for a session relocated under its own id, its entry in the long region. */
  private async resolve(entry: Entry, operation: string): Promise<Entry | null> {
    if (entry.doc.state === 'relocated' && entry.doc.marker?.to === entry.doc.id) return this.follow(entry, operation);
    if (entry.doc.state === 'live') this.remember(entry.doc.id, entry);
    return entry;
  }

  /**
   * The entry a `moved` or `relocated` marker points to; created from the marker when its mover
   * stopped short (only while the marker is recent: a session deleted since is never recreated).
   */
  private async follow(marker: Entry, operation: string): Promise<Entry | null> {
    const to = marker.doc.marker?.to;
    if (to === undefined) return null;
    const region = marker.doc.state === 'moved' ? marker.region : this.regions.longRegion;
    let text = await this.call(operation, () => this.rest.get(region, to));
    if (text === null && Date.now() - marker.doc.marker!.at < this.markerMs / 2) {
      const doc: GeodeSessionDocument = {
        ...marker.doc,
        id: to,
        state: 'live',
        expiresAt: expiryOf(marker.doc.lastAccessedTime, marker.doc.maxInactiveInterval),
      };
      delete doc.marker;
      await this.call(operation, () => this.rest.create(region, to, encodeGeodeDocument(this.regions, doc)));
      text = await this.call(operation, () => this.rest.get(region, to));
    }
    if (text === null) return null;
    const entry = this.entryOf(region, text, operation);
    if (entry.doc.state === 'live') this.remember(to, entry);
    return entry;
  }

  /** Whether a marker forwards, through up to {@link MAX_FORWARDS} id changes, to a session alive at `now`. */
  private async forwardsToLive(marker: Entry, now: number): Promise<boolean> {
    let entry: Entry | null = marker;
    for (let hop = 0; hop < MAX_FORWARDS && entry; hop++) {
      if (entry.doc.state === 'live') return !isExpired(entry.doc.lastAccessedTime, entry.doc.maxInactiveInterval, now);
      if (forwardTarget(entry.doc, now) === undefined) return false;
      entry = await this.follow(entry, 'isMoved');
    }
    return entry !== null && entry.doc.state === 'live' && !isExpired(entry.doc.lastAccessedTime, entry.doc.maxInactiveInterval, now);
  }

  private entryOf(region: string, text: string, operation = 'write'): Entry {
    return { region, text, doc: this.decode(() => decodeGeodeDocument(text), operation) };
  }

  private decode<T>(run: () => T, operation: string): T {
    try {
      return run();
    } catch (err) {
      throw new SessionStoreError('geode', operation, err);
    }
  }

  private remember(id: string, entry: Entry): void {
    if (this.baseCacheSize <= 0) return;
    const now = Date.now();
    this.bases.delete(id);
    this.bases.set(id, { ...entry, at: now });
    // Oldest first (insertion order): drop what no save may use any more, and past the size.
    for (const [oldest, cached] of this.bases) {
      if (this.bases.size <= this.baseCacheSize && now - cached.at <= this.baseMaxAgeMs) break;
      this.bases.delete(oldest);
    }
  }

  private cachedBase(id: string, now: number): Entry | undefined {
    const cached = this.bases.get(id);
    if (!cached) return undefined;
    if (Math.max(now, Date.now()) - cached.at > this.baseMaxAgeMs) {
      this.bases.delete(id);
      return undefined;
    }
    return cached;
  }

  private forget(id: string): void {
    this.bases.delete(id);
  }

  // --- the sweep ---------------------------------------------------------------------------------

  private async sweepOne(region: string, id: string, now: number): Promise<'expired' | 'removed' | 'skipped'> {
    const text = await this.call('sweep', () => this.rest.get(region, id));
    if (text === null) return 'skipped';
    let entry: Entry;
    try {
      entry = this.entryOf(region, text, 'sweep');
    } catch {
      return 'skipped';
    }
    const doc = entry.doc;
    if (doc.state === 'live') {
      if (!isExpired(doc.lastAccessedTime, doc.maxInactiveInterval, now)) return 'skipped';
      const answer = await this.call('sweep', () => this.rest.cas(region, id, text, this.marker(doc, 'expired', now)));
      if (!answer.swapped) return 'skipped';
      this.forget(id);
      for (const listener of this.expiryListeners) listener(id);
      return 'expired';
    }
    if (doc.expiresAt === null || doc.expiresAt >= now) return 'skipped';
    await this.call('sweep', () => this.rest.delete(region, id));
    return 'removed';
  }

  private scheduleSweep(every: number): void {
    const next = every / 2 + Math.random() * every;
    this.timer = setTimeout(() => {
      this.sweepExpired()
        .catch((err) => console.error('sessiongen: Geode sweep failed:', (err as Error).message))
        .finally(() => {
          if (this.timer) this.scheduleSweep(every);
        });
    }, next);
    this.timer.unref();
  }

  // --- queries ---------------------------------------------------------------------------------

  /** Registers every named query (an id is derived from its OQL, so servers share them and a change gets a new id). */
  private async defineQueries(): Promise<void> {
    const definitions: Array<[string, string]> = [];
    for (const region of this.order) {
      definitions.push([queryKey('liveIds', region), GEODE_QUERIES.liveIds(region)]);
      definitions.push([queryKey('due', region), GEODE_QUERIES.due(region)]);
      for (const field of this.regions.indexFields) definitions.push([queryKey('byIndex', region, field.field), GEODE_QUERIES.byIndex(region, field.field)]);
    }
    for (const [key, oql] of definitions) {
      const id = `sessiongen-${createHash('sha256').update(oql).digest('hex').slice(0, 24)}`;
      await this.rest.defineQuery(id, oql);
      this.queryIds.set(key, id);
    }
  }

  private queryId(kind: 'liveIds' | 'due' | 'byIndex', region: string, field?: string): string {
    return this.queryIds.get(queryKey(kind, region, field))!;
  }

  private async call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw new SessionStoreError('geode', operation, err);
    }
  }
}

function queryKey(kind: string, region: string, field?: string): string {
  return `${kind}\u0000${region}\u0000${field ?? ''}`;
}

/** Whether an id can be a key in a REST URL: not empty, well-formed UTF-16, not too long once encoded. */
function isKey(id: string): boolean {
  if (typeof id !== 'string' || id.length === 0 || LONE_SURROGATE.test(id)) return false;
  return encodeURIComponent(encodeURIComponent(id)).length <= MAX_ENCODED_KEY;
}

function emptyDocument(write: SessionWrite): GeodeSessionDocument {
  return {
    id: write.id,
    creationTime: write.creationTime,
    lastAccessedTime: write.lastAccessedTime,
    maxInactiveInterval: write.maxInactiveInterval,
    expiresAt: write.expiresAt,
    state: 'live',
    attributes: {},
  };
}

/** The stored session `id` after this write: its times and timeout, its attributes with the delta applied. */
function nextDocument(write: SessionWrite, current: GeodeSessionDocument, id: string): GeodeSessionDocument {
  const attributes = { ...current.attributes };
  for (const name of write.removed) delete attributes[name];
  for (const [name, value] of Object.entries(write.set)) attributes[name] = value;
  return {
    id,
    creationTime: current.creationTime,
    lastAccessedTime: write.lastAccessedTime,
    maxInactiveInterval: write.maxInactiveInterval,
    expiresAt: write.expiresAt,
    state: 'live',
    attributes,
  };
}

/** The id a marker forwards writes to at `now`: a move to another id whose forwarding has not ended. */
function forwardTarget(doc: GeodeSessionDocument, now: number): string | undefined {
  const marker = doc.marker;
  if ((doc.state !== 'moved' && doc.state !== 'relocated') || !marker?.to || marker.to === doc.id) return undefined;
  return marker.until !== undefined && marker.until > now ? marker.to : undefined;
}

function toRecord(doc: GeodeSessionDocument): SessionRecord {
  return {
    id: doc.id,
    creationTime: doc.creationTime,
    lastAccessedTime: doc.lastAccessedTime,
    maxInactiveInterval: doc.maxInactiveInterval,
    attributes: doc.attributes,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
