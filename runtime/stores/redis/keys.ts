import type { IndexDescriptor, IndexValue } from '../../core/descriptor.js';

/**
 * The Redis key layout, runtime side. The generator emits the same layout for one schema as
 * typed builders (`generated/redis/keys.ts`) and documents it (`generated/redis/LAYOUT.md`); a
 * test checks that both agree with what the store writes.
 *
 * | key                                   | type | TTL                                   |
 * |---------------------------------------|------|---------------------------------------|
 * | `<prefix>:{<id>}`                     | hash | PEXPIREAT the session's expiry        |
 * | `<prefix>:{<id>}:moving`              | string | 30 s, only during an id change on a cluster |
 * | `<prefix>:{<id>}:moved`               | string | the write's `forwardingMs`, after an id change: the new id |
 * | `<prefix>:index:<index>:<value JSON>` | zset | PEXPIREAT the latest member's expiry  |
 *
 * The `{<id>}` hash tag puts every key of one session in one cluster slot. Index keys are shared
 * by many sessions, so they live in their own slots and are maintained per slot.
 */

/** Hash fields that are not attributes. Attribute names start with a letter, so `#` never clashes. */
export const META_FIELDS = {
  creationTime: '#creationTime',
  lastAccessedTime: '#lastAccessedTime',
  maxInactiveInterval: '#maxInactiveInterval',
  /** The score the session's index entries carry (an upper bound of its expiry); absent without index values. */
  indexedUntil: '#indexedUntil',
} as const;

/** An attribute's hash field is its name; its value is the attribute's JSON. */
export function attributeField(name: string): string {
  return name;
}

/** How an index value appears in its key: its JSON text, so `"42"` and `42` never meet. */
export function indexValueText(value: IndexValue): string {
  return JSON.stringify(value);
}

export class RedisKeyLayout {
  constructor(
    /** The schema's key prefix (`app:session`), without a trailing colon. */
    readonly prefix: string,
  ) {
    if (/[{}*?[\]\s]/.test(prefix) || prefix.length === 0) {
      throw new RangeError(`Redis key prefix '${prefix}' must be non-empty with no glob, hash-tag or space characters`);
    }
  }

  /**
   * Whether an id can be a hash tag: non-empty, no braces. Otherwise `<prefix>:{<id>}` and its lock
   * would not share a cluster slot (`{}` hashes the whole key), so the store never sends such an id.
   */
  isUsableId(id: string): boolean {
    return typeof id === 'string' && id.length > 0 && !id.includes('{') && !id.includes('}');
  }

  /** The session hash: `<prefix>:{<id>}`. */
  session(id: string): string {
    return `${this.prefix}:{${id}}`;
  }

  /** Held only while a cluster moves a session to a new id: `<prefix>:{<id>}:moving`. */
  moveLock(id: string): string {
    return `${this.prefix}:{${id}}:moving`;
  }

  /** The new id, for a while after the session's id changed: `<prefix>:{<id>}:moved`. */
  moved(id: string): string {
    return `${this.prefix}:{${id}}:moved`;
  }

  /** Everything before an index value: `<prefix>:index:`. */
  get indexPrefix(): string {
    return `${this.prefix}:index:`;
  }

  /** The sorted set of the sessions whose index has that value. */
  index(index: Pick<IndexDescriptor, 'name'>, value: IndexValue): string {
    return this.indexByText(index.name, indexValueText(value));
  }

  /** Same as {@link index}, from the value's JSON text as stored in the hash. */
  indexByText(indexName: string, valueJson: string): string {
    return `${this.indexPrefix}${indexName}:${valueJson}`;
  }

  /** The session id of a session hash key, or null for any other key (after a client-side prefix). */
  sessionIdOf(key: string): string | null {
    const start = `${this.prefix}:{`;
    if (!key.startsWith(start) || !key.endsWith('}')) return null;
    const id = key.slice(start.length, -1);
    return id.includes('}') ? null : id;
  }
}
