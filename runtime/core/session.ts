import {
  DEFAULT_MAX_SESSION_BYTES,
  lookupAttribute,
  type AttributeDescriptor,
  type OpenAttributesDescriptor,
  type IndexValue,
  type PatternAttributeDescriptor,
  type SessionDescriptor,
} from './descriptor.js';
import { attributeNameProblem } from './attribute-names.js';
import { InvalidAttributeError, SessionLimitError } from './errors.js';
import { checkMaxInactiveInterval, expiredBy, sessionExpiresAt } from './expiry.js';
import type { SessionDevice } from './devices.js';
import { isReservedAttribute, RESERVED_ATTRIBUTES } from './reserved.js';
import { findUnstorable, utf8Length } from './storable.js';
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
  /** Seconds from creation after which the session ends however active; undefined = none. */
  readonly absoluteTimeout?: number | undefined;
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
  /** Names the store holds that this session does not expose (a value the schema rejects, a name it does not know). */
  private readonly hidden: Set<string>;
  /** Size accounting for the limits, made on the first `set`: see {@link Session.set}. */
  private usage: Usage | undefined;
  private _lastRejection: InvalidAttributeError | undefined;
  private _device: SessionDevice | undefined;

  /**
   * @internal use `repository.createSession()` or `findById`. `record.attributes` holds only what
   * the session exposes (or `exposed` does, in its place); `hidden` names what else the store holds,
   * left there untouched; `device` is the stored device, if any.
   */
  constructor(
    private readonly context: SessionContext,
    record: SessionRecord,
    isNew: boolean,
    hidden: Iterable<string> = [],
    device?: SessionDevice,
    exposed?: Map<string, unknown>,
  ) {
    this._id = record.id;
    this.originalId = record.id;
    this._isNew = isNew;
    this.creationTime = record.creationTime;
    this._lastAccessedTime = record.lastAccessedTime;
    this._maxInactiveInterval = record.maxInactiveInterval;
    this.attributes = exposed ?? new Map(Object.entries(record.attributes));
    this.hidden = new Set(hidden);
    this._device = device;
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

  /** Seconds from -1 (never expires) to 315 360 000 (10 years); 0 is already expired. Out of range: RangeError. */
  get maxInactiveInterval(): number {
    return this._maxInactiveInterval;
  }
  set maxInactiveInterval(seconds: number) {
    checkMaxInactiveInterval(seconds);
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
   * Validates and sets an attribute; `undefined` removes it. Throws, changing nothing:
   * - {@link InvalidAttributeError} for a name or value the schema rejects, or a value not every
   *   store can hold (a string or key with U+0000 or a lone surrogate);
   * - {@link SessionLimitError} when the session would grow past `maxSessionBytes` (its
   *   attributes as one JSON object, UTF-8) or hold more than `maxAttributes` of a pattern family.
   *
   * A session loaded already over a limit (the schema lowered it) still loads and still takes
   * writes that do not grow it: replacing a value by one no larger, removing attributes.
   */
  set<K extends AttributeName<A>>(name: K, value: Exclude<A[K], undefined> | undefined): this {
    if (value === undefined) return this.remove(name);
    try {
      this.setChecked(name, value);
    } catch (err) {
      if (err instanceof InvalidAttributeError) this._lastRejection = err;
      throw err;
    }
    return this;
  }

  /**
   * The last error `set` threw on this session, if any: the web integrations answer it (400 or
   * 413 with `{ error, path }`) when the framework caught it and made it a 500.
   */
  get lastRejection(): InvalidAttributeError | undefined {
    return this._lastRejection;
  }

  private setChecked(name: string, value: unknown): void {
    const descriptor = this.context.descriptor;
    const checked = checkAttribute(descriptor, name, value);
    const entry = entryBytes(name, checked.json);
    const family = 'prefix' in checked.attribute ? checked.attribute : undefined;
    if (this.usage === undefined && this.attributes.has(name)) {
      // Not measured yet: a value no larger than the one it replaces cannot break a limit, so only
      // that one is measured, and it leaves a family's count as it is (a later `set` that grows the
      // session measures what it holds then).
      if (entry <= entryBytes(name, JSON.stringify(this.attributes.get(name)))) {
        this.keep(name, checked.copy);
        return;
      }
    }
    const usage = (this.usage ??= measure(descriptor, this.attributes));
    const before = usage.bytes.get(name);
    if (family?.maxAttributes !== undefined && before === undefined) {
      const count = (usage.families.get(family) ?? 0) + 1;
      if (count > family.maxAttributes) {
        throw new SessionLimitError(name, '/' + escapePointer(name), 'maxAttributes', family.maxAttributes, count);
      }
    }
    const total = usage.total - (before ?? 0) + entry;
    const max = descriptor.maxSessionBytes ?? DEFAULT_MAX_SESSION_BYTES;
    if (total > max && total > usage.total) {
      throw new SessionLimitError(name, '/' + escapePointer(name), 'maxSessionBytes', max, total);
    }
    usage.total = total;
    usage.bytes.set(name, entry);
    if (family && before === undefined) usage.families.set(family, (usage.families.get(family) ?? 0) + 1);
    this.keep(name, checked.copy);
  }

  /** Records a value that passed every check. */
  private keep(name: string, copy: unknown): void {
    this.hidden.delete(name);
    this.attributes.set(name, copy);
    this.changes.set(name, { value: copy });
  }

  /** Removes an attribute; also one the store holds but the session hid (an invalid stored value). */
  remove(name: AttributeName<A>): this {
    const had = this.attributes.delete(name);
    if (had || this.changes.has(name) || this.hidden.delete(name)) this.changes.set(name, REMOVED);
    if (had && this.usage) {
      this.usage.total -= this.usage.bytes.get(name) ?? 0;
      this.usage.bytes.delete(name);
      const family = lookupAttribute(this.context.descriptor, name);
      if (family && 'prefix' in family) this.usage.families.set(family, (this.usage.families.get(family) ?? 1) - 1);
    }
    return this;
  }

  /** The bytes the session's attributes take as one JSON object (UTF-8), as `maxSessionBytes` counts them. */
  get sizeInBytes(): number {
    return (this.usage ??= measure(this.context.descriptor, this.attributes)).total;
  }

  attributeNames(): AttributeName<A>[] {
    return [...this.attributes.keys()] as AttributeName<A>[];
  }

  /** A plain copy of the stored attributes (without defaults). */
  attributesSnapshot(): Partial<A> {
    return copyOf(Object.fromEntries(this.attributes)) as Partial<A>;
  }

  /** Past its idle timeout, or past its absolute timeout when the repository has one. */
  isExpired(now: number = Date.now()): boolean {
    return expiredBy(this.creationTime, this._lastAccessedTime, this._maxInactiveInterval, this.context.absoluteTimeout, now) !== false;
  }

  /**
   * When the session ends unless it is used again (epoch ms): the earlier of its idle expiry and
   * `creationTime + absoluteTimeout`; null when it never does.
   */
  get expiresAt(): number | null {
    return sessionExpiresAt(this.creationTime, this._lastAccessedTime, this._maxInactiveInterval, this.context.absoluteTimeout);
  }

  /** The device the session is used from, where the schema keeps devices and one was recorded. */
  get device(): SessionDevice | undefined {
    return this._device;
  }

  /** Records the session's device (the web integrations do, where the schema keeps devices); saved with the next save. */
  setDevice(device: SessionDevice): this {
    this._device = { userAgent: device.userAgent, address: device.address, lastSeen: device.lastSeen };
    this.changes.set(RESERVED_ATTRIBUTES.device, { value: this._device });
    return this;
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
      if (this._device) set[RESERVED_ATTRIBUTES.device] = this._device;
      removed.length = 0;
    }
    const write: SessionWrite = {
      id: this._id,
      isNew: this._isNew,
      creationTime: this.creationTime,
      lastAccessedTime: this._lastAccessedTime,
      maxInactiveInterval: this._maxInactiveInterval,
      expiresAt: this.expiresAt,
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

/**
 * Checks a name and value against the schema, and that every store can hold the value; returns
 * the copy to keep. Throws InvalidAttributeError. (Limits are the session's: see `Session.set`.)
 */
export function validateAttribute(descriptor: SessionDescriptor, name: string, value: unknown): unknown {
  return checkAttribute(descriptor, name, value).copy;
}

interface CheckedAttribute {
  attribute: AttributeDescriptor | PatternAttributeDescriptor | OpenAttributesDescriptor;
  /** The value's JSON text, as the stores keep it. */
  json: string;
  /** The value as a store gives it back (a JSON copy the caller cannot change behind the session's back). */
  copy: unknown;
}

function checkAttribute(descriptor: SessionDescriptor, name: string, value: unknown): CheckedAttribute {
  const attribute = attributeOf(descriptor, name);
  const reason = typeof attribute === 'string' ? { path: '', reason: attribute } : valueRejection(attribute, value);
  if (reason) throw new InvalidAttributeError(name, '/' + escapePointer(name) + reason.path, reason.reason);
  const json = JSON.stringify(value);
  return { attribute: attribute as Exclude<typeof attribute, string>, json, copy: typeof value === 'object' && value !== null ? JSON.parse(json) : value };
}

/**
 * Why a stored or given value may not be an attribute of the session, or undefined when it may:
 * the name is unknown, the schema rejects the value, or not every store can hold it. `path` is a
 * JSON pointer inside the value.
 */
export function rejectionOf(
  descriptor: SessionDescriptor,
  name: string,
  value: unknown,
): { path: string; reason: string } | undefined {
  const attribute = attributeOf(descriptor, name);
  return typeof attribute === 'string' ? { path: '', reason: attribute } : valueRejection(attribute, value);
}

type AnyAttribute = AttributeDescriptor | PatternAttributeDescriptor | OpenAttributesDescriptor;

/** The declared attributes whose names pass `attributeNameProblem`, per descriptor: each name is checked once, not per value. */
const declaredNames = new WeakMap<SessionDescriptor, Map<string, AttributeDescriptor>>();

/** What describes attribute `name`, or why there is no such attribute. */
function attributeOf(descriptor: SessionDescriptor, name: string): AnyAttribute | string {
  let declared = declaredNames.get(descriptor);
  if (declared === undefined) {
    declared = new Map();
    for (const key of Object.keys(descriptor.attributes)) if (!attributeNameProblem(key)) declared.set(key, descriptor.attributes[key]);
    declaredNames.set(descriptor, declared);
  }
  const found = declared.get(name);
  if (found !== undefined) return found;
  const problem = attributeNameProblem(name);
  if (problem) return problem;
  return lookupAttribute(descriptor, name) ?? `'${printable(name)}' is not an attribute of ${descriptor.name}`;
}

function valueRejection(attribute: AnyAttribute, value: unknown): { path: string; reason: string } | undefined {
  if (!attribute.validate(value)) {
    const issue = attribute.validate.errors?.[0];
    return { path: issue?.instancePath ?? '', reason: issue?.message ?? 'value rejected by the schema' };
  }
  return findUnstorable(value);
}

/**
 * @internal The stored attributes of a loaded record as a session holds them, in one pass: what
 * `screenAttributes` exposes, in a map, and what it hides (reported the same way). The repository's
 * reserved entries are handed to `reserved` and left out.
 */
export function screenStored(
  descriptor: SessionDescriptor,
  stored: Record<string, unknown>,
  report: (attribute: string, reason: string) => void,
  refused: Readonly<Record<string, string>> | undefined,
  reserved: (name: string, value: unknown) => void,
): { attributes: Map<string, unknown>; invalid: string[] } {
  const attributes = new Map<string, unknown>();
  const invalid: string[] = [];
  if (refused) {
    for (const name of Object.keys(refused)) {
      if (isReservedAttribute(name) || attributeNameProblem(name) || lookupAttribute(descriptor, name) === undefined) continue;
      invalid.push(name);
      report(name, `/: ${refused[name]}`);
    }
  }
  for (const name in stored) {
    if (!Object.prototype.hasOwnProperty.call(stored, name)) continue;
    const value = stored[name];
    if (isReservedAttribute(name)) {
      reserved(name, value);
      continue;
    }
    if (refused && Object.prototype.hasOwnProperty.call(refused, name)) continue;
    const attribute = attributeOf(descriptor, name);
    const rejected = typeof attribute === 'string' ? { path: '', reason: attribute } : valueRejection(attribute, value);
    if (rejected) {
      // A name the schema does not know is hidden silently; a value it rejects is reported.
      if (typeof attribute === 'string' && lookupAttribute(descriptor, name) === undefined) continue;
      invalid.push(name);
      report(name, `${rejected.path || '/'}: ${rejected.reason}`);
      continue;
    }
    attributes.set(name, value);
  }
  return { attributes, invalid };
}

/**
 * Splits stored attributes into what a session may expose and what it hides: a value `rejectionOf`
 * refuses or the store `refused` (reported through `report`, and listed in `invalid` so the app can
 * still set or remove it) and a name the schema does not know (hidden silently, never touched).
 * Returns the same object when nothing is hidden.
 */
export function screenAttributes(
  descriptor: SessionDescriptor,
  stored: Record<string, unknown>,
  report?: (attribute: string, reason: string) => void,
  refused?: Readonly<Record<string, string>>,
): { attributes: Record<string, unknown>; invalid: string[] } {
  let attributes = stored;
  const invalid: string[] = [];
  for (const [name, reason] of Object.entries(refused ?? {})) {
    if (attributes === stored) attributes = { ...stored };
    delete attributes[name];
    if (attributeNameProblem(name) || lookupAttribute(descriptor, name) === undefined) continue;
    invalid.push(name);
    report?.(name, `/: ${reason}`);
  }
  for (const [name, value] of Object.entries(stored)) {
    if (refused && Object.prototype.hasOwnProperty.call(refused, name)) continue;
    const rejected = rejectionOf(descriptor, name, value);
    if (!rejected) continue;
    if (attributes === stored) attributes = { ...stored };
    delete attributes[name];
    if (lookupAttribute(descriptor, name) === undefined) continue;
    invalid.push(name);
    report?.(name, `${rejected.path || '/'}: ${rejected.reason}`);
  }
  return { attributes, invalid };
}

/**
 * For code that writes whole sessions (the express-session adapter): throws
 * {@link SessionLimitError} when `next` is over a limit and larger there than `previous`, the
 * same rule `Session.set` applies one attribute at a time.
 */
export function checkSessionLimits(
  descriptor: SessionDescriptor,
  next: Record<string, unknown>,
  previous: Record<string, unknown> | null,
): void {
  const after = measure(descriptor, new Map(Object.entries(next)));
  const before = measure(descriptor, new Map(Object.entries(previous ?? {})));
  const grown = [...after.bytes].filter(([name, bytes]) => bytes > (before.bytes.get(name) ?? 0));
  for (const [family, count] of after.families) {
    const was = before.families.get(family) ?? 0;
    if (family.maxAttributes !== undefined && count > family.maxAttributes && count > was) {
      const name = [...after.bytes.keys()].find((candidate) => family.pattern.test(candidate) && !before.bytes.has(candidate))!;
      throw new SessionLimitError(name, '/' + escapePointer(name), 'maxAttributes', family.maxAttributes, count);
    }
  }
  const max = descriptor.maxSessionBytes ?? DEFAULT_MAX_SESSION_BYTES;
  if (after.total > max && after.total > before.total) {
    const [name] = grown.sort((a, b) => b[1] - a[1])[0] ?? [''];
    throw new SessionLimitError(name, name ? '/' + escapePointer(name) : '', 'maxSessionBytes', max, after.total);
  }
}

/** A copy the caller cannot change behind the session's back; primitives are their own copy. */
function copyOf<T>(value: T): T {
  return typeof value === 'object' && value !== null ? structuredClone(value) : value;
}

/** What the limits count, per session: each attribute's bytes, their total, each family's count. */
interface Usage {
  bytes: Map<string, number>;
  total: number;
  families: Map<PatternAttributeDescriptor, number>;
}

/** `"name":value,` in UTF-8: one attribute's share of the session's JSON object. */
function entryBytes(name: string, json: string): number {
  return utf8Length(JSON.stringify(name)) + utf8Length(json) + 2;
}

/** Measures the attributes once (one JSON text per attribute); later sets and removes adjust it. */
function measure(descriptor: SessionDescriptor, attributes: ReadonlyMap<string, unknown>): Usage {
  // `{`, then each `"name":value,` (the last comma is the closing `}`).
  const usage: Usage = { bytes: new Map(), total: 1, families: new Map() };
  for (const [name, value] of attributes) {
    const entry = entryBytes(name, JSON.stringify(value));
    usage.bytes.set(name, entry);
    usage.total += entry;
    const attribute = lookupAttribute(descriptor, name);
    if (attribute && 'prefix' in attribute) usage.families.set(attribute, (usage.families.get(attribute) ?? 0) + 1);
  }
  return usage;
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function printable(name: string): string {
  const clipped = name.length > 80 ? name.slice(0, 80) + '…' : name;
  return JSON.stringify(clipped).slice(1, -1);
}
