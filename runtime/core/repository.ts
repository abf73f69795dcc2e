import type { IndexValue, SessionDescriptor } from './descriptor.js';
import { systemClock, type Clock } from './clock.js';
import { SessionEvents, type SessionEventListener, type SessionEventType } from './events.js';
import { checkMaxInactiveInterval, isExpired } from './expiry.js';
import { uuidSessionIdGenerator, type SessionIdGenerator } from './ids.js';
import { screenAttributes, Session, type SessionContext } from './session.js';
import { DEFAULT_ID_FORWARDING_MS, type SessionRecord, type SessionStore } from './store.js';

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
}

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
  private readonly context: SessionContext;

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
    this.context = { descriptor, ids: this.ids };
    store.onExpired?.((id) => this.events.emit('expired', id));
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
    const write = session.toWrite(this.clock());
    if (write.previousId !== undefined) write.forwardingMs = this.idForwardingMs;
    const outcome = await this.store.write(write);
    if (outcome !== 'written') return outcome;
    session.markSaved();
    if (wasNew) this.events.emit('created', session.id);
    return 'saved';
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
      if (isExpired(record.lastAccessedTime, record.maxInactiveInterval, this.clock())) return null;
      return this.sessionOf(record);
    }
    return (await this.store.isMoved?.(id, this.clock())) ? 'moved' : null;
  }

  /** Deletes the session whatever its timeout (never-expiring ones too). A no-op when absent. */
  async deleteById(id: string): Promise<void> {
    if (!this.ids.isValid(id)) return;
    if (await this.store.delete(id)) this.events.emit('deleted', id);
  }

  /** The live sessions whose index `name` has `value`, keyed by id. */
  async findByIndex(name: string, value: IndexValue): Promise<Map<string, Session<A, D>>> {
    const index = this.descriptor.indexes.find((candidate) => candidate.name === name);
    if (!index) throw new Error(`${this.descriptor.name} has no index named '${name}'`);
    const found = new Map<string, Session<A, D>>();
    if (!isIndexValue(value, index.type)) return found;
    const now = this.clock();
    for (const record of await this.store.findByIndex(index, value)) {
      if (isExpired(record.lastAccessedTime, record.maxInactiveInterval, now)) continue;
      if (record.attributes[index.attribute] !== value) continue;
      found.set(record.id, this.sessionOf(record));
    }
    return found;
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
    Object.defineProperty(view, 'context', { value: { descriptor: this.descriptor, ids } satisfies SessionContext });
    return view;
  }

  /**
   * A loaded session, exposing only what the schema accepts. A stored value the schema (or some
   * store) rejects, or the store refuses (`record.refused`), is hidden and reported as an
   * `invalid-attribute` event; a name the schema does not know is hidden silently. Both stay in the store untouched until the app sets or removes them.
   */
  private sessionOf(record: SessionRecord): Session<A, D> {
    const screened = screenAttributes(
      this.descriptor,
      record.attributes,
      (attribute, reason) => this.events.emit('invalid-attribute', record.id, { attribute, reason }),
      record.refused,
    );
    if (screened.attributes === record.attributes) return new Session<A, D>(this.context, record, false);
    return new Session<A, D>(this.context, { ...record, attributes: screened.attributes }, false, screened.invalid);
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
