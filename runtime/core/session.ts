import { lookupAttribute, type SessionDescriptor, type IndexValue } from './descriptor.js';
import { attributeNameProblem } from './attribute-names.js';
import { InvalidAttributeError } from './errors.js';
import { expiresAt, isExpired } from './expiry.js';
import type { SessionIdGenerator } from './ids.js';
import type { SessionRecord, SessionWrite } from './store.js';

/** Attribute names of a generated attributes type. */
export type AttributeName<A> = keyof A & string;
/** What `get` returns: attributes with a schema default are never undefined. */
export type AttributeValue<A, D, K extends keyof A> = K extends D
  ? Exclude<A[K], undefined>
  : Exclude<A[K], undefined> | undefined;

const REMOVED: unique symbol = Symbol('removed');
type Change = { value: unknown } | typeof REMOVED;

/** Hooks a session gets from its repository. */
export interface SessionContext {
  readonly descriptor: SessionDescriptor;
  readonly ids: SessionIdGenerator;
}

/**
 * A user's session: typed attributes over `A` (with defaults `D`), times in epoch ms, timeout in
 * seconds. It records what changed since it was loaded, so a save writes only the delta.
 */
export class Session<A extends object = Record<string, unknown>, D extends keyof A = never> {
  private _id: string;
  private originalId: string;
  private _isNew: boolean;
  private _lastAccessedTime: number;
  private _maxInactiveInterval: number;
  private metaChanged = false;
  private readonly attributes: Map<string, unknown>;
  private readonly changes = new Map<string, Change>();

  /** @internal use `repository.createSession()` or `findById`. */
  constructor(
    private readonly context: SessionContext,
    record: SessionRecord,
    isNew: boolean,
  ) {
    this._id = record.id;
    this.originalId = record.id;
    this._isNew = isNew;
    this.creationTime = record.creationTime;
    this._lastAccessedTime = record.lastAccessedTime;
    this._maxInactiveInterval = record.maxInactiveInterval;
    this.attributes = new Map(Object.entries(record.attributes));
  }

  readonly creationTime: number;

  get id(): string {
    return this._id;
  }

  /** True until the first successful save. */
  get isNew(): boolean {
    return this._isNew;
  }

  get lastAccessedTime(): number {
    return this._lastAccessedTime;
  }
  set lastAccessedTime(value: number) {
    if (value !== this._lastAccessedTime) this.metaChanged = true;
    this._lastAccessedTime = value;
  }

  /** Seconds; negative never expires, 0 is already expired. */
  get maxInactiveInterval(): number {
    return this._maxInactiveInterval;
  }
  set maxInactiveInterval(seconds: number) {
    if (!Number.isInteger(seconds)) throw new RangeError(`maxInactiveInterval must be whole seconds, got ${seconds}`);
    if (seconds !== this._maxInactiveInterval) this.metaChanged = true;
    this._maxInactiveInterval = seconds;
  }

  /** The value, or the schema default when absent. */
  get<K extends AttributeName<A>>(name: K): AttributeValue<A, D, K> {
    if (this.attributes.has(name)) return this.attributes.get(name) as AttributeValue<A, D, K>;
    const declared = this.context.descriptor.attributes[name];
    return (declared && Object.prototype.hasOwnProperty.call(declared, 'default')
      ? copyOf(declared.default)
      : undefined) as AttributeValue<A, D, K>;
  }

  has(name: AttributeName<A>): boolean {
    return this.attributes.has(name);
  }

  /**
   * Validates and sets an attribute. An invalid name or value throws {@link InvalidAttributeError}
   * and changes nothing. `undefined` removes the attribute.
   */
  set<K extends AttributeName<A>>(name: K, value: Exclude<A[K], undefined> | undefined): this {
    if (value === undefined) return this.remove(name);
    const copy = validateAttribute(this.context.descriptor, name, value);
    this.attributes.set(name, copy);
    this.changes.set(name, { value: copy });
    return this;
  }

  remove(name: AttributeName<A>): this {
    if (this.attributes.delete(name) || this.changes.has(name)) this.changes.set(name, REMOVED);
    return this;
  }

  attributeNames(): AttributeName<A>[] {
    return [...this.attributes.keys()] as AttributeName<A>[];
  }

  /** A plain copy of the stored attributes (without defaults). */
  attributesSnapshot(): Partial<A> {
    return copyOf(Object.fromEntries(this.attributes)) as Partial<A>;
  }

  isExpired(now: number = Date.now()): boolean {
    return isExpired(this._lastAccessedTime, this._maxInactiveInterval, now);
  }

  /** Gives the session a fresh id (fixation defence). Persisted, as a move, on the next save. */
  changeSessionId(): string {
    this._id = this.context.ids.generate();
    return this._id;
  }

  /** True when a save would write something. */
  get hasChanges(): boolean {
    return this._isNew || this.metaChanged || this.changes.size > 0 || this._id !== this.originalId;
  }

  /** @internal the delta for the store. */
  toWrite(now: number): SessionWrite {
    const set: Record<string, unknown> = {};
    const removed: string[] = [];
    for (const [name, change] of this.changes) {
      if (change === REMOVED) removed.push(name);
      else set[name] = change.value;
    }
    const indexes: Record<string, IndexValue | null> = {};
    const changedIndexes: string[] = [];
    for (const index of this.context.descriptor.indexes) {
      const value = this.attributes.get(index.attribute);
      indexes[index.name] = value === undefined || value === null ? null : (value as IndexValue);
      if (this._isNew ? value !== undefined : this.changes.has(index.attribute)) changedIndexes.push(index.name);
    }
    if (this._isNew) {
      Object.assign(set, Object.fromEntries(this.attributes));
      removed.length = 0;
    }
    const write: SessionWrite = {
      id: this._id,
      isNew: this._isNew,
      creationTime: this.creationTime,
      lastAccessedTime: this._lastAccessedTime,
      maxInactiveInterval: this._maxInactiveInterval,
      expiresAt: expiresAt(this._lastAccessedTime, this._maxInactiveInterval),
      set,
      removed,
      indexes,
      changedIndexes,
      now,
    };
    if (!this._isNew && this._id !== this.originalId) write.previousId = this.originalId;
    return write;
  }

  /** @internal called by the repository once the store applied the write. */
  markSaved(): void {
    this._isNew = false;
    this.originalId = this._id;
    this.metaChanged = false;
    this.changes.clear();
  }
}

/** Checks a name and value against the schema; returns the copy to keep. Throws InvalidAttributeError. */
export function validateAttribute(descriptor: SessionDescriptor, name: string, value: unknown): unknown {
  const problem = attributeNameProblem(name);
  if (problem) throw new InvalidAttributeError(String(name), '/' + escapePointer(String(name)), problem);
  const attribute = lookupAttribute(descriptor, name);
  if (!attribute) {
    throw new InvalidAttributeError(name, '/' + escapePointer(name), `'${printable(name)}' is not an attribute of ${descriptor.name}`);
  }
  if (!attribute.validate(value)) {
    const issue = attribute.validate.errors?.[0];
    throw new InvalidAttributeError(name, '/' + escapePointer(name) + (issue?.instancePath ?? ''), issue?.message ?? 'value rejected by the schema');
  }
  return copyOf(value);
}

/** A copy the caller cannot change behind the session's back; primitives are their own copy. */
function copyOf<T>(value: T): T {
  return typeof value === 'object' && value !== null ? structuredClone(value) : value;
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function printable(name: string): string {
  const clipped = name.length > 80 ? name.slice(0, 80) + '…' : name;
  return JSON.stringify(clipped).slice(1, -1);
}
