import type { IndexDescriptor, IndexValue, PrincipalSessionLimit, SessionDescriptor } from './descriptor.js';
import { systemClock, type Clock } from './clock.js';
import { DEVICE_LAST_SEEN_PRECISION_MS, deviceOf, readDevice, sameDevice, type SessionClient, type SessionDevice } from './devices.js';
import { SessionEvents, type SessionEndReason, type SessionEventListener, type SessionEventType } from './events.js';
import { checkAbsoluteTimeout, checkMaxInactiveInterval, expiredBy, expiresAt, sessionExpiresAt } from './expiry.js';
import { uuidSessionIdGenerator, type SessionIdGenerator } from './ids.js';
import { admitLogin, endLeastRecentlyUsed, isClaim, mostRecentFirst, type PrincipalLimitContext } from './principal-limit.js';
import { RESERVED_ATTRIBUTES, SUMMARY_ATTRIBUTES } from './reserved.js';
import { screenStored, Session, type SessionContext } from './session.js';
import { DEFAULT_ID_FORWARDING_MS, type ExpiredSession, type SessionRecord, type SessionStore } from './store.js';

export interface RepositoryOptions {
  /** Overrides the schema's default timeout for new sessions (seconds, -1 = never, at most 315 360 000). */
  maxInactiveInterval?: number;
  ids?: SessionIdGenerator;
  clock?: Clock;
  /**
   * How long after an id change (ms) the store still forwards writes made under the old id by
   * requests that loaded the session before the change, and tells later requests under the old id
   * that it moved (`findByIdOrMoved`). Default {@link DEFAULT_ID_FORWARDING_MS} (a minute).
   */
  idForwardingMs?: number;
  /**
   * Overrides the schema's `absoluteTimeout`: seconds from creation after which a session ends
   * however active (1 to 315 360 000); `null` turns it off.
   */
  absoluteTimeout?: number | null;
  /** Overrides the schema's `maxSessionsPerPrincipal`; `null` turns the limit off. Needs the principal index. */
  maxSessionsPerPrincipal?: PrincipalSessionLimit | null;
  /**
   * Overrides the schema's `touchInterval` (seconds, 0 to 86 400): a request that changes nothing
   * writes the session's access time at most once per interval (see {@link SessionRepository.recordAccess}).
   */
  touchInterval?: number;
}

/** One of a principal's sessions, as {@link SessionRepository.sessionsOf} lists them: no attributes. */
export interface SessionSummary {
  readonly id: string;
  readonly creationTime: number;
  readonly lastAccessedTime: number;
  /** When it ends unless used again (the earlier of its idle and absolute timeouts); null when never. */
  readonly expiresAt: number | null;
  /** Where the schema keeps devices and one was recorded. */
  readonly device?: SessionDevice;
}

/** What {@link SessionRepository.endSessionsOf} ends and how it reports it. */
export interface EndSessionsOptions {
  /** A session id (or several) to keep: "sign out everywhere else" passes the caller's own. */
  except?: string | readonly string[];
  /** The reason the `deleted` events give. Default `revoked`. */
  reason?: SessionEndReason;
}

/** The longest touch interval: a day. */
export const MAX_TOUCH_INTERVAL = 86_400;

/**
 * What a save did: `saved`; `unchanged` (nothing to write); `gone` (deleted or expired meanwhile,
 * nothing written); `moved` (the save changes the id, but another save changed it first; nothing
 * written). A save of a session whose id another request changed meanwhile lands under the new
 * id and is `saved` (see {@link WriteOutcome}).
 */
export type SaveOutcome = 'saved' | 'unchanged' | 'gone' | 'moved';

/**
 * The one repository: Spring Session's semantics over any {@link SessionStore}. Generated code
 * subclasses it to add typed finders (`findByPrincipalName`, one per index).
 */
export class SessionRepository<A extends object = Record<string, unknown>, D extends keyof A = never> {
  readonly events = new SessionEvents();
  readonly descriptor: SessionDescriptor;
  readonly store: SessionStore;
  readonly ids: SessionIdGenerator;
  readonly clock: Clock;
  readonly defaultMaxInactiveInterval: number;
  readonly idForwardingMs: number;
  /** Seconds from creation after which a session ends however active; undefined = none. */
  readonly absoluteTimeout: number | undefined;
  /** At most this many live sessions per principal, and what a login past it does; undefined = no limit. */
  readonly maxSessionsPerPrincipal: PrincipalSessionLimit | undefined;
  /** Seconds; a request that changes nothing writes the access time at most once per interval. */
  readonly touchInterval: number;
  /** Whether the web integrations record each session's device (`x-sessiongen.devices`). */
  readonly recordsDevices: boolean;
  private readonly context: SessionContext;
  private readonly principalIndex: IndexDescriptor | undefined;

  constructor(descriptor: SessionDescriptor, store: SessionStore, options: RepositoryOptions = {}) {
    this.descriptor = descriptor;
    this.store = store;
    this.ids = options.ids ?? uuidSessionIdGenerator;
    this.clock = options.clock ?? systemClock;
    this.defaultMaxInactiveInterval = checkMaxInactiveInterval(options.maxInactiveInterval ?? descriptor.maxInactiveInterval);
    this.idForwardingMs = options.idForwardingMs ?? DEFAULT_ID_FORWARDING_MS;
    if (!Number.isSafeInteger(this.idForwardingMs) || this.idForwardingMs < 1) {
      throw new RangeError(`idForwardingMs must be a positive whole number of ms, got ${this.idForwardingMs}`);
    }
    const absolute = options.absoluteTimeout === undefined ? descriptor.absoluteTimeout : (options.absoluteTimeout ?? undefined);
    this.absoluteTimeout = absolute === undefined ? undefined : checkAbsoluteTimeout(absolute);
    this.touchInterval = options.touchInterval ?? descriptor.touchInterval ?? 0;
    if (!Number.isInteger(this.touchInterval) || this.touchInterval < 0 || this.touchInterval > MAX_TOUCH_INTERVAL) {
      throw new RangeError(`touchInterval must be whole seconds from 0 to ${MAX_TOUCH_INTERVAL}, got ${this.touchInterval}`);
    }
    this.recordsDevices = descriptor.devices === true;
    this.principalIndex = descriptor.indexes.find((index) => index.name === descriptor.principalIndex);
    const limit = options.maxSessionsPerPrincipal === undefined ? descriptor.maxSessionsPerPrincipal : (options.maxSessionsPerPrincipal ?? undefined);
    if (limit !== undefined) {
      if (!Number.isSafeInteger(limit.max) || limit.max < 1) throw new RangeError(`maxSessionsPerPrincipal.max must be a whole number from 1, got ${limit.max}`);
      if (limit.policy !== 'end-least-recently-used' && limit.policy !== 'refuse') {
        throw new RangeError(`maxSessionsPerPrincipal.policy must be 'end-least-recently-used' or 'refuse', got ${String(limit.policy)}`);
      }
      if (!this.principalIndex) throw new Error(`${descriptor.name} has no principal index: maxSessionsPerPrincipal needs one`);
      if (store.capabilities?.principalIndex === false) {
        throw new Error(`the ${store.kind} store keeps no principal index: maxSessionsPerPrincipal needs one to count a principal's sessions`);
      }
    }
    this.maxSessionsPerPrincipal = limit;
    this.context = { descriptor, ids: this.ids, absoluteTimeout: this.absoluteTimeout };
    store.onExpired?.((id, expired) => {
      const endReason = this.expiryReason(expired);
      this.events.emit('expired', id, endReason ? { endReason } : undefined);
    });
  }

  /**
   * A new, unsaved session with the default timeout and a fresh id, or `id` when given (an id made
   * elsewhere, such as express-session's; it must pass this repository's id rules).
   */
  createSession(id?: string): Session<A, D> {
    if (id !== undefined && !this.ids.isValid(id)) throw new RangeError('createSession: the id does not pass this repository\'s id rules');
    const now = this.clock();
    const record: SessionRecord = {
      id: id ?? this.ids.generate(),
      creationTime: now,
      lastAccessedTime: now,
      maxInactiveInterval: this.defaultMaxInactiveInterval,
      attributes: {},
    };
    return new Session<A, D>(this.context, record, true);
  }

  /**
   * Writes what changed. A session deleted meanwhile is not written again (`gone`); an id change
   * that another id change beat is not written (`moved`).
   */
  async save(session: Session<A, D>): Promise<SaveOutcome> {
    if (!session.hasChanges) return 'unchanged';
    const wasNew = session.isNew;
    const now = this.clock();
    // Past its absolute timeout the session is over, however recently used: never written again.
    if (!wasNew && this.absoluteTimeout !== undefined && now >= session.creationTime + this.absoluteTimeout * 1000) return 'gone';
    const write = session.toWrite(now);
    if (write.previousId !== undefined) write.forwardingMs = this.idForwardingMs;
    const limit = this.maxSessionsPerPrincipal;
    const principal = limit ? this.loginPrincipal(write) : undefined;
    // refuse: admitted before anything of the login is written (see principal-limit.ts).
    const withdraw =
      principal !== undefined && limit!.policy === 'refuse'
        ? await admitLogin(this.limitContext(), principal, limit!.max, write.previousId === undefined ? [write.id] : [write.id, write.previousId])
        : undefined;
    let outcome;
    try {
      outcome = await this.store.write(write);
    } finally {
      await withdraw?.();
    }
    if (outcome !== 'written') return outcome;
    session.markSaved();
    if (wasNew) this.events.emit('created', session.id);
    if (principal !== undefined && limit!.policy === 'end-least-recently-used') {
      // The login is saved: a failure to end older sessions must not lose it. The next login ends them.
      await endLeastRecentlyUsed(this.limitContext(), principal, limit!.max).catch((err) =>
        console.error(`sessiongen: ending the least recently used sessions past maxSessionsPerPrincipal failed`, err),
      );
    }
    return 'saved';
  }

  /**
   * What a request does to its session, for the web integrations (and WebSocket keep-alive): marks
   * it accessed at `now`, but only when `touchInterval` seconds have passed since the access time it
   * holds (or `force`, when the request writes the session anyway), so a request that changes
   * nothing writes at most once per interval; and, where the schema keeps devices, records the
   * client's device when it differs from the recorded one (and its `lastSeen`, to the minute, with
   * the accesses it marks). Returns whether it changed the session. With a touch interval, a
   * session's stored expiry may be up to `touchInterval` seconds earlier than its last request +
   * its timeout: it never ends later.
   */
  recordAccess(session: Session<A, D>, options: { now?: number; client?: SessionClient; force?: boolean } = {}): boolean {
    const now = options.now ?? this.clock();
    const client = this.recordsDevices ? options.client : undefined;
    const moved = client !== undefined && !sameDevice(session.device, client);
    if (!moved && options.force !== true && now - session.lastAccessedTime < this.touchInterval * 1000) return false;
    if (now > session.lastAccessedTime || session.isNew) session.lastAccessedTime = now;
    if (client && (moved || session.lastAccessedTime - session.device!.lastSeen >= DEVICE_LAST_SEEN_PRECISION_MS)) {
      session.setDevice(deviceOf(client, session.lastAccessedTime));
    }
    return true;
  }

  /**
   * The session, or null when absent, expired or the id is not one this repository could have made.
   * An id that another request changed is not found (the new id is never reachable from the old).
   */
  async findById(id: string): Promise<Session<A, D> | null> {
    const found = await this.findByIdOrMoved(id);
    return found === 'moved' ? null : found;
  }

  /**
   * Like {@link findById}, but tells an id changed moments ago (within `idForwardingMs`, while the
   * session lives on under its new id) from one that names nothing: `'moved'`. The web
   * integrations answer such a request with a retryable 409 instead of starting a new session.
   * Only a miss costs the second store call.
   */
  async findByIdOrMoved(id: string): Promise<Session<A, D> | 'moved' | null> {
    if (!this.ids.isValid(id)) return null;
    const record = await this.store.load(id);
    if (record) {
      if (this.isOver(record, this.clock()) || isClaim(record)) return null;
      return this.sessionOf(record);
    }
    return (await this.store.isMoved?.(id, this.clock())) ? 'moved' : null;
  }

  /**
   * Deletes the session whatever its timeout (never-expiring ones too). A no-op when absent. The
   * `deleted` event gives `options.reason` (default `revoked`; a user's own logout is `logout`).
   */
  async deleteById(id: string, options: { reason?: SessionEndReason } = {}): Promise<void> {
    if (!this.ids.isValid(id)) return;
    if (await this.store.delete(id)) this.events.emit('deleted', id, { endReason: options.reason ?? 'revoked' });
  }

  /**
   * The live sessions of a principal, most recently used first, as summaries (id, times, device):
   * never their attributes. Stores read no more than that where they can (`findSummariesByIndex`:
   * SQL selects the times and the device member of the JSON column, Redis reads those hash fields,
   * memory copies nothing else); elsewhere (Hazelcast's client has no projection, Geode's queries
   * return whole documents) the store sends whole entries and the repository drops the attributes.
   */
  async sessionsOf(principal: string): Promise<SessionSummary[]> {
    const records = (await this.liveRecordsOf(principal)).filter((record) => !isClaim(record));
    return records.sort(mostRecentFirst).map((record) => {
      const device = this.recordsDevices ? readDevice(record.attributes[RESERVED_ATTRIBUTES.device]) : undefined;
      const summary = {
        id: record.id,
        creationTime: record.creationTime,
        lastAccessedTime: record.lastAccessedTime,
        expiresAt: sessionExpiresAt(record.creationTime, record.lastAccessedTime, record.maxInactiveInterval, this.absoluteTimeout),
      };
      return device ? { ...summary, device } : summary;
    });
  }

  /**
   * Sign out everywhere: ends every live session of a principal, except `options.except`, in one
   * call, each with a `deleted` event (`options.reason`, default `revoked`); returns the ids it
   * ended. Atomic where the store can do it in one step (`deleteByIndex`): memory, SQL (one
   * DELETE), standalone Redis (one script); on a Redis Cluster, Hazelcast and Geode each session is
   * ended on its own, so a login racing the call may survive it. Sessions already expired are left to expire.
   */
  async endSessionsOf(principal: string, options: EndSessionsOptions = {}): Promise<string[]> {
    const index = this.requirePrincipalIndex('endSessionsOf');
    const except = options.except === undefined ? [] : typeof options.except === 'string' ? [options.except] : [...options.except];
    if (typeof principal !== 'string') return [];
    const now = this.clock();
    let ended: string[];
    if (this.store.deleteByIndex) {
      ended = await this.store.deleteByIndex(index, principal, { except, now });
    } else {
      ended = [];
      for (const record of await this.liveRecordsOf(principal)) {
        if (!except.includes(record.id) && (await this.store.delete(record.id))) ended.push(record.id);
      }
    }
    for (const id of ended) this.events.emit('deleted', id, { endReason: options.reason ?? 'revoked' });
    return ended;
  }

  /** The live sessions whose index `name` has `value`, keyed by id. */
  async findByIndex(name: string, value: IndexValue): Promise<Map<string, Session<A, D>>> {
    const index = this.descriptor.indexes.find((candidate) => candidate.name === name);
    if (!index) throw new Error(`${this.descriptor.name} has no index named '${name}'`);
    const found = new Map<string, Session<A, D>>();
    if (!isIndexValue(value, index.type)) return found;
    const now = this.clock();
    for (const record of await this.store.findByIndex(index, value)) {
      if (this.isOver(record, now) || isClaim(record)) continue;
      if (record.attributes[index.attribute] !== value) continue;
      found.set(record.id, this.sessionOf(record));
    }
    return found;
  }

  /**
   * The live records (sessions and claims) of a principal, attributes reduced to the reserved
   * entries and the principal: through `findSummariesByIndex` where the store has it.
   */
  private async liveRecordsOf(principal: string): Promise<SessionRecord[]> {
    const index = this.requirePrincipalIndex('sessionsOf');
    if (typeof principal !== 'string') return [];
    const names = [...SUMMARY_ATTRIBUTES, index.attribute];
    const records = this.store.findSummariesByIndex
      ? await this.store.findSummariesByIndex(index, principal, names)
      : await this.store.findByIndex(index, principal);
    const now = this.clock();
    return records
      .filter((record) => record.attributes[index.attribute] === principal && !this.isOver(record, now))
      .map((record) => ({ ...record, attributes: Object.fromEntries(names.filter((name) => name in record.attributes).map((name) => [name, record.attributes[name]])) }));
  }

  private requirePrincipalIndex(operation: string): IndexDescriptor {
    if (!this.principalIndex) throw new Error(`${this.descriptor.name} has no principal index: ${operation} needs one`);
    return this.principalIndex;
  }

  /** The principal a write logs in: its principal index value, when the write sets it (a new session with one, or a change). */
  private loginPrincipal(write: { indexes: Record<string, IndexValue | null>; changedIndexes: string[] }): string | undefined {
    const index = this.principalIndex!;
    const value = write.indexes[index.name];
    return typeof value === 'string' && write.changedIndexes.includes(index.name) ? value : undefined;
  }

  private limitContext(): PrincipalLimitContext {
    return {
      store: this.store,
      index: this.principalIndex!,
      indexes: this.descriptor.indexes,
      ids: this.ids,
      clock: this.clock,
      liveRecordsOf: (principal) => this.liveRecordsOf(principal),
      emit: (type, id, detail) => this.events.emit(type, id, detail),
    };
  }

  /** Past its idle or absolute timeout at `now`. */
  private isOver(record: SessionRecord, now: number): boolean {
    return expiredBy(record.creationTime, record.lastAccessedTime, record.maxInactiveInterval, this.absoluteTimeout, now) !== false;
  }

  /**
   * Why a session the store saw expire ended: `absolute` when the expiry it was written with came
   * before its idle expiry, else `idle`; unknown (undefined) when the store gave no times and an
   * absolute timeout could have ended it.
   */
  private expiryReason(expired: ExpiredSession | undefined): SessionEndReason | undefined {
    if (!expired) return this.absoluteTimeout === undefined ? 'idle' : undefined;
    const idle = expiresAt(expired.lastAccessedTime, expired.maxInactiveInterval);
    return expired.expiresAt !== null && (idle === null || expired.expiresAt < idle) ? 'absolute' : 'idle';
  }

  /**
   * The ids of the live sessions, page by page from the store (see `SessionStore.listIds`), never
   * all at once; ids this repository's id rules reject are left out.
   */
  async *listIds(options: { pageSize?: number } = {}): AsyncIterable<string> {
    for await (const id of this.store.listIds({ ...options, now: this.clock() })) {
      if (this.ids.isValid(id)) yield id;
    }
  }

  /**
   * This repository under other id rules: the same store, events, clock and default timeout, but
   * `findById`, `deleteById`, `listIds` and `createSession(id)` accept the ids `ids.isValid`
   * accepts. For sessions whose ids another library makes, such as express-session's `genid`.
   */
  withIdRules(ids: SessionIdGenerator): this {
    const view = Object.create(this) as this;
    Object.defineProperty(view, 'ids', { value: ids, enumerable: true });
    Object.defineProperty(view, 'context', { value: { descriptor: this.descriptor, ids, absoluteTimeout: this.absoluteTimeout } satisfies SessionContext });
    return view;
  }

  /**
   * A loaded session, exposing only what the schema accepts. A stored value the schema (or some
   * store) rejects, or the store refuses (`record.refused`), is hidden and reported as an
   * `invalid-attribute` event; a name the schema does not know is hidden silently. Both stay in the store untouched until the app sets or removes them.
   */
  private sessionOf(record: SessionRecord): Session<A, D> {
    let device: SessionDevice | undefined;
    // The repository's own entries are never attributes: taken out before the schema sees them.
    const screened = screenStored(
      this.descriptor,
      record.attributes,
      (attribute, reason) => this.events.emit('invalid-attribute', record.id, { attribute, reason }),
      record.refused,
      (name, value) => {
        if (name === RESERVED_ATTRIBUTES.device && this.recordsDevices) device = readDevice(value);
      },
    );
    return new Session<A, D>(this.context, record, false, screened.invalid, device, screened.attributes);
  }

  on(type: SessionEventType, listener: SessionEventListener): () => void {
    return this.events.on(type, listener);
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

function isIndexValue(value: unknown, type: string): value is IndexValue {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return Number.isSafeInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    default:
      return false;
  }
}
