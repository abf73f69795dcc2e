import type { IndexDescriptor, IndexValue } from '../../core/descriptor.js';

/**
 * The Redis key layout: key names and hash fields. The store (and its Lua scripts) writes these;
 * the generator emits the same layout for one schema as typed builders
 * (`generated/redis/keys.ts`) and documents it (`generated/redis/LAYOUT.md`) from the functions
 * here, and a test checks that both agree with what the store writes.
 *
 * | key                                   | type   | TTL                                          |
 * |---------------------------------------|--------|----------------------------------------------|
 * | `<prefix>:{<id>}`                     | hash   | PEXPIREAT the session's expiry               |
 * | `<prefix>:{<id>}:moving`              | string | 30 s, only during an id change on a cluster  |
 * | `<prefix>:{<id>}:moved`               | string | the write's `forwardingMs` after an id change: the new id |
 * | `<prefix>:index:<index>:<value JSON>` | zset   | PEXPIREAT the latest member's expiry         |
 *
 * The `{<id>}` hash tag puts every key of one session in one cluster slot. Index keys are shared
 * by many sessions, so they live in their own slots and are maintained per slot.
 */

/** What every metadata field starts with. Attribute names start with a letter, so they never clash. */
export const META_FIELD_PREFIX = '#';

/** Hash fields that are not attributes. */
export const META_FIELDS = {
  creationTime: '#creationTime',
  lastAccessedTime: '#lastAccessedTime',
  maxInactiveInterval: '#maxInactiveInterval',
  /** The score the session's index entries carry (an upper bound of its expiry); absent without index values. */
  indexedUntil: '#indexedUntil',
} as const;

/** Whether a hash field is metadata rather than an attribute. */
export function isMetaField(field: string): boolean {
  return field.startsWith(META_FIELD_PREFIX);
}

/** An attribute's hash field is its name; its value is the attribute's JSON. */
export function attributeField(name: string): string {
  return name;
}

/** How an index value appears in its key: its JSON text, so `"42"` and `42` never meet. */
export function indexValueText(value: IndexValue): string {
  return JSON.stringify(value);
}

/** The session hash: `<prefix>:{<id>}`. */
export function redisSessionKey(prefix: string, id: string): string {
  return `${prefix}:{${id}}`;
}

/** What the move lock and the moved marker add to the session's key. */
const MOVE_LOCK_SUFFIX = ':moving';
const MOVED_SUFFIX = ':moved';

/** Held only while a cluster moves a session to a new id: `<prefix>:{<id>}:moving`. */
export function redisMoveLockKey(prefix: string, id: string): string {
  return redisSessionKey(prefix, id) + MOVE_LOCK_SUFFIX;
}

/** The new id, for a while after the session's id changed: `<prefix>:{<id>}:moved`. */
export function redisMovedKey(prefix: string, id: string): string {
  return redisSessionKey(prefix, id) + MOVED_SUFFIX;
}

/** Everything before an index's name: `<prefix>:index:`. */
export function redisIndexKeyPrefix(prefix: string): string {
  return `${prefix}:index:`;
}

/** The sorted set of the sessions whose index has the value: `<prefix>:index:<index>:<value JSON>`. */
export function redisIndexKey(prefix: string, indexName: string, valueJson: string): string {
  return `${redisIndexKeyPrefix(prefix)}${indexName}:${valueJson}`;
}

/** The keys of one prefix (the schema's, or the store's `keyPrefix` option). */
export class RedisKeyLayout {
  /** What a session key has before and after the id. */
  private readonly sessionKeyEnds: readonly [string, string];

  constructor(
    /** The schema's key prefix (`app:session`), without a trailing colon. */
    readonly prefix: string,
  ) {
    if (/[{}*?[\]\s]/.test(prefix) || prefix.length === 0) {
      throw new RangeError(`Redis key prefix '${prefix}' must be non-empty with no glob, hash-tag or space characters`);
    }
    const [head, tail] = redisSessionKey(prefix, '\0').split('\0');
    this.sessionKeyEnds = [head!, tail!];
  }

  /**
   * Whether an id can be a hash tag: non-empty, no braces. Otherwise `<prefix>:{<id>}` and its lock
   * would not share a cluster slot (`{}` hashes the whole key), so the store never sends such an id.
   */
  isUsableId(id: string): boolean {
    return typeof id === 'string' && id.length > 0 && !id.includes('{') && !id.includes('}');
  }

  /** The session hash. */
  session(id: string): string {
    return redisSessionKey(this.prefix, id);
  }

  /** The move lock of a session. */
  moveLock(id: string): string {
    return redisMoveLockKey(this.prefix, id);
  }

  /** The move marker of a session's old id (its value is the new id). */
  moved(id: string): string {
    return redisMovedKey(this.prefix, id);
  }

  /** {@link moveLock} from the session's key (no second build of the key). */
  moveLockOf(sessionKey: string): string {
    return sessionKey + MOVE_LOCK_SUFFIX;
  }

  /** {@link moved} from the session's key. */
  movedOf(sessionKey: string): string {
    return sessionKey + MOVED_SUFFIX;
  }

  /** Everything before an index's name. */
  get indexPrefix(): string {
    return redisIndexKeyPrefix(this.prefix);
  }

  /** The sorted set of the sessions whose index has that value. */
  index(index: Pick<IndexDescriptor, 'name'>, value: IndexValue): string {
    return this.indexByText(index.name, indexValueText(value));
  }

  /** Same as {@link index}, from the value's JSON text as stored in the hash. */
  indexByText(indexName: string, valueJson: string): string {
    return redisIndexKey(this.prefix, indexName, valueJson);
  }

  /** The session id of a session hash key, or null for any other key (after a client-side prefix). */
  sessionIdOf(key: string): string | null {
    const [head, tail] = this.sessionKeyEnds;
    if (key.length < head.length + tail.length || !key.startsWith(head) || !key.endsWith(tail)) return null;
    const id = key.slice(head.length, key.length - tail.length);
    return id.includes('}') ? null : id;
  }
}
