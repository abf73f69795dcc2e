import type { IndexValue, SessionDescriptor } from './descriptor.js';
import { systemClock, type Clock } from './clock.js';
import { SessionEvents, type SessionEventListener, type SessionEventType } from './events.js';
import { checkMaxInactiveInterval, isExpired } from './expiry.js';
import { uuidSessionIdGenerator, type SessionIdGenerator } from './ids.js';
import { screenAttributes, Session, type SessionContext } from './session.js';
import type { SessionRecord, SessionStore } from './store.js';

export interface RepositoryOptions {
  /** Overrides the schema's default timeout for new sessions (seconds, -1 = never, at most 315 360 000). */
  maxInactiveInterval?: number;
  ids?: SessionIdGenerator;
  clock?: Clock;
}

/** What a save did: `saved`; `unchanged` (nothing to write); `gone` (deleted meanwhile, nothing written). */
export type SaveOutcome = 'saved' | 'unchanged' | 'gone';

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
  private readonly context: SessionContext;

  constructor(descriptor: SessionDescriptor, store: SessionStore, options: RepositoryOptions = {}) {
    this.descriptor = descriptor;
    this.store = store;
    this.ids = options.ids ?? uuidSessionIdGenerator;
    this.clock = options.clock ?? systemClock;
    this.defaultMaxInactiveInterval = checkMaxInactiveInterval(options.maxInactiveInterval ?? descriptor.maxInactiveInterval);
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

  /** Writes what changed. A session deleted meanwhile is not written again (`gone`). */
  async save(session: Session<A, D>): Promise<SaveOutcome> {
    if (!session.hasChanges) return 'unchanged';
    const wasNew = session.isNew;
    const outcome = await this.store.write(session.toWrite(this.clock()));
    if (outcome === 'gone') return 'gone';
    session.markSaved();
    if (wasNew) this.events.emit('created', session.id);
    return 'saved';
  }

  /** The session, or null when absent, expired or the id is not one this repository could have made. */
  async findById(id: string): Promise<Session<A, D> | null> {
    if (!this.ids.isValid(id)) return null;
    const record = await this.store.load(id);
    if (!record || isExpired(record.lastAccessedTime, record.maxInactiveInterval, this.clock())) return null;
    return this.sessionOf(record);
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
