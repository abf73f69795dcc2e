import type { IndexDescriptor, IndexValue } from './descriptor.js';

/**
 * The store SPI: what each store (memory, SQL, Redis, Hazelcast) implements. The repository above
 * it owns the session semantics (validation, expiry, events, ids); a store only persists.
 */

/**
 * A session as a store keeps it. Attribute values are plain JSON values. Besides the app's
 * attributes, `attributes` may hold the repository's own reserved entries, whose names start with
 * `#` (which no attribute name may: see `RESERVED_ATTRIBUTES`): a store keeps and returns them like
 * any attribute.
 */
export interface SessionRecord {
  id: string;
  creationTime: number;
  lastAccessedTime: number;
  /** Seconds; negative never expires. */
  maxInactiveInterval: number;
  attributes: Record<string, unknown>;
  /**
   * Attributes the store holds in a form it refuses to give as JSON values (Java serialization, Java
   * type ids in a Spring layout): name → why, naming what to change where they were written. The
   * repository never exposes them (whatever `attributes` has for them), reports those the schema
   * knows as `invalid-attribute` events, and a save leaves them in the store untouched.
   */
  refused?: Readonly<Record<string, string>>;
}

/** One save: the delta since the session was loaded, applied atomically by the store. */
export interface SessionWrite {
  /** The id to write under. */
  id: string;
  /** Set when the id changed since the session was loaded (and it was not new): move, don't copy. */
  previousId?: string;
  /** True for a session never saved before: create it. Otherwise update only if it still exists. */
  isNew: boolean;
  creationTime: number;
  lastAccessedTime: number;
  maxInactiveInterval: number;
  /** Epoch ms at which the session expires, or null when it never does. */
  expiresAt: number | null;
  /** Attributes set since load, with their new values. */
  set: Record<string, unknown>;
  /** Attributes removed since load. */
  removed: string[];
  /** Current values of every index (null = no value), for stores that keep index columns or keys. */
  indexes: Record<string, IndexValue | null>;
  /** The indexes whose value this write changes. */
  changedIndexes: string[];
  /** The repository's clock at save time: an update must not touch a session expired by then. */
  now: number;
  /**
   * With `previousId`: how long (ms from `now`) the store keeps the move's marker, old id → new
   * id ({@link SessionStore.isMoved}); default {@link DEFAULT_ID_FORWARDING_MS}.
   */
  forwardingMs?: number;
}

/** How long a store remembers an id change by default: a minute. */
export const DEFAULT_ID_FORWARDING_MS = 60_000;

/**
 * `written`: applied. `gone`: not new, and the session no longer exists (deleted or expired
 * meanwhile): nothing was written, so a save never resurrects a session. `moved`: the write
 * changes the id (`previousId`), but another write changed it first: nothing was written.
 *
 * Id changes and concurrent writes: when a session's id changes, the store keeps a marker, old id
 * → new id, for `forwardingMs`. An update (no `previousId`) that finds its id moved applies its
 * delta to the session under the new id, following markers, and answers `written`: only a request
 * that loaded the session while the old id was live holds a session with that id, because a load
 * by an id that was changed finds nothing. The marker is never used to read a session: it only
 * forwards writes and tells {@link SessionStore.isMoved}. Forwarding ends when the marker expires or
 * the session under the new id is gone.
 */
export type WriteOutcome = 'written' | 'gone' | 'moved';

/** What {@link SessionStore.listIds} is asked for. */
export interface ListIdsOptions {
  /** Epoch ms: sessions expired by then are left out where the store can tell without loading them. */
  now: number;
  /** How many ids one round trip reads (a hint; Redis takes it as SCAN's COUNT). Default 500. */
  pageSize?: number;
}

/**
 * What a store knows of a session it saw expire: the times the session was last written with
 * (`expiresAt` as in its last `SessionWrite`), from which the repository tells an idle timeout from
 * an absolute one. Stores that see only the id (Redis keyspace notifications) leave it out.
 */
export interface ExpiredSession {
  lastAccessedTime: number;
  maxInactiveInterval: number;
  expiresAt: number | null;
}

export interface StoreExpiryListener {
  (sessionId: string, expired?: ExpiredSession): void;
}

/** What {@link SessionStore.deleteByIndex} is asked for. */
export interface DeleteByIndexOptions {
  /** Ids to leave alone (the caller's own session, for "sign out everywhere else"). */
  except: readonly string[];
  /** The repository's clock: sessions already expired by then are left to expire (no `deleted` for them). */
  now: number;
}

export interface SessionStore {
  /** Short name for messages: `memory`, `sqlite`, `redis`, … */
  readonly kind: string;
  /**
   * What the store's layout cannot do, where it is fixed by someone else's (Spring Session's plain
   * Redis repository keeps no index): `principalIndex: false` means `findByIndex` refuses the
   * principal index, so the repository refuses `maxSessionsPerPrincipal` up front. Absent: everything.
   */
  readonly capabilities?: { readonly principalIndex?: boolean };
  /**
   * Whose layout the store writes when it shares sessions with another library: `spring` for
   * Spring Session's keys and tables. The web integrations then default to that library's cookie
   * form (Spring's base64 `SESSION` cookie). Absent: sessiongen's own layout.
   */
  readonly compat?: 'spring';
  /** Loads a session. May return an expired one; the repository filters it. */
  load(id: string): Promise<SessionRecord | null>;
  write(write: SessionWrite): Promise<WriteOutcome>;
  /**
   * Whether `id` was changed to another id whose session still lives, less than its write's
   * `forwardingMs` ago (the store's move marker). Never reveals the new id or the session. Stores
   * that do not keep markers omit it (a load of a changed id is then just not found). `now` is the
   * repository's clock, as in writes.
   */
  isMoved?(id: string, now: number): Promise<boolean>;
  /** Deletes a session whatever its timeout; true when something was deleted. */
  delete(id: string): Promise<boolean>;
  /** The sessions whose index has that value. May include expired ones; the repository filters them. */
  findByIndex(index: IndexDescriptor, value: IndexValue): Promise<SessionRecord[]>;
  /**
   * Like {@link findByIndex}, but each record's `attributes` hold at most the entries named in
   * `names` (reserved entries such as `#device`): what listing a principal's sessions needs, without
   * reading or sending every attribute where the store can avoid it. Optional: the repository falls
   * back to `findByIndex` and drops the rest.
   */
  findSummariesByIndex?(index: IndexDescriptor, value: IndexValue, names: readonly string[]): Promise<SessionRecord[]>;
  /**
   * Deletes every live session whose index has that value, except `options.except`, and returns
   * the ids it deleted. Stores that can do it in one atomic step say so in their docs. Optional: the
   * repository falls back to `findSummariesByIndex`/`findByIndex` and `delete` per session.
   */
  deleteByIndex?(index: IndexDescriptor, value: IndexValue, options: DeleteByIndexOptions): Promise<string[]>;
  /**
   * The ids of the stored sessions, read page by page so that no store ever holds all of them
   * (or any session) in memory at once. Sessions expired at `now` are left out where the store can
   * tell from its own expiry data (SQL's expiry column, Redis and Hazelcast TTLs, the memory
   * store's records); Hazelcast keeps an entry up to a second past its expiry, and the repository
   * re-checks whatever it loads. A session created or deleted while the listing runs may or may not
   * appear, and an id may appear twice (Redis SCAN does so while the server resizes its tables).
   */
  listIds(options: ListIdsOptions): AsyncIterable<string>;
  /** Subscribes to expiry the store can observe (keyspace events, entry listeners, cleanup). */
  onExpired?(listener: StoreExpiryListener): void;
  close(): Promise<void>;
}
