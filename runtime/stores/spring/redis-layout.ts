/**
 * Spring Session's Redis layout, as `RedisIndexedSessionRepository` and `RedisSessionRepository`
 * (spring-session-data-redis 3.x) write it: the one home of its key names, hash fields, set
 * members and channels. The Spring Redis store writes these and the generator documents them
 * (`generated/spring/LAYOUT.md`) from the functions here.
 *
 * | key                                             | type   | TTL                            | flavour  |
 * |-------------------------------------------------|--------|--------------------------------|----------|
 * | `<ns>:sessions:<id>`                            | hash   | expiry + 300 s (plain: expiry) | both     |
 * | `<ns>:sessions:expires:<id>`                    | string | expiry                         | indexed  |
 * | `<ns>:expirations:<minute ms>`                  | set    | timeout + 300 s                | indexed, minute buckets |
 * | `<ns>:sessions:expirations`                     | zset   | none                           | indexed, sorted set     |
 * | `<ns>:index:<PRINCIPAL_NAME_INDEX_NAME>:<name>` | set    | none                           | indexed  |
 * | `<ns>:sessions:moved:<old id>`                  | string | the id change's forwarding time | both (sessiongen's own) |
 *
 * No key carries a hash tag: a session's keys live in different Redis Cluster slots.
 */

import { SPRING_PRINCIPAL_NAME_INDEX_NAME } from './attributes.js';

/** Spring Session's default namespace (`RedisIndexedSessionRepository.DEFAULT_NAMESPACE`). */
export const SPRING_DEFAULT_NAMESPACE = 'spring:session';

/** The hash fields that are not attributes (`RedisSessionMapper`); values are JSON numbers. */
export const SPRING_REDIS_FIELDS = {
  /** Epoch ms (a Java `Long`). */
  creationTime: 'creationTime',
  /** Epoch ms (a Java `Long`). */
  lastAccessedTime: 'lastAccessedTime',
  /** Seconds (a Java `Integer`); negative never expires, 0 is deleted. */
  maxInactiveInterval: 'maxInactiveInterval',
} as const;

/** What every attribute's hash field starts with (`RedisSessionMapper.ATTRIBUTE_PREFIX`). */
export const SPRING_ATTRIBUTE_PREFIX = 'sessionAttr:';

/** The indexed flavour keeps a session's hash this long past its expiry, so expiry listeners can still read it. */
export const SPRING_HASH_GRACE_SECONDS = 300;

/** Which Spring repository the Java app runs: `RedisIndexedSessionRepository` or `RedisSessionRepository`. */
export type SpringRedisRepository = 'indexed' | 'plain';

/** How the indexed flavour finds sessions to expire: minute buckets (Spring's default) or one sorted set (`SortedSetRedisSessionExpirationStore`). */
export type SpringRedisExpirations = 'minute' | 'sorted-set';

/** The hash field of an attribute. */
export function springAttributeField(name: string): string {
  return SPRING_ATTRIBUTE_PREFIX + name;
}

/** The session hash: `<ns>:sessions:<id>`. */
export function springSessionKey(namespace: string, id: string): string {
  return `${namespace}:sessions:${id}`;
}

/** The indexed flavour's shadow key, whose expiry drives Spring's expired events: `<ns>:sessions:expires:<id>`. */
export function springExpiresKey(namespace: string, id: string): string {
  return `${namespace}:sessions:expires:${id}`;
}

/**
 * sessiongen's own marker of an id change, for the write's `forwardingMs`: `<ns>:sessions:moved:<old id>`
 * holding the new id. Spring reads no such key and its listeners ignore its expiry.
 */
export function springMovedKey(namespace: string, id: string): string {
  return `${namespace}:sessions:moved:${id}`;
}

/** The minute bucket of the sessions expiring before `minute`: `<ns>:expirations:<epoch ms>`. */
export function springExpirationsBucketKey(namespace: string, minute: number): string {
  return `${namespace}:expirations:${minute}`;
}

/** The sorted set of every session scored by its expiry (ms): `<ns>:sessions:expirations`. */
export function springExpirationsZsetKey(namespace: string): string {
  return `${namespace}:sessions:expirations`;
}

/** The set of the sessions of one principal: `<ns>:index:<PRINCIPAL_NAME_INDEX_NAME>:<principal>`. */
export function springPrincipalKey(namespace: string, principal: string): string {
  return `${namespace}:index:${SPRING_PRINCIPAL_NAME_INDEX_NAME}:${principal}`;
}

/** The channel a session's creation is published on: `<ns>:event:<db>:created:<id>`. */
export function springCreatedChannel(namespace: string, db: number, id: string): string {
  return `${namespace}:event:${db}:created:${id}`;
}

/**
 * Set and sorted-set members are values, so Spring serializes them like attribute values: with the
 * JSON serializer, a JSON string (`"<id>"`, quotes included).
 */
export function springMember(text: string): string {
  return JSON.stringify(text);
}

/** The minute-bucket member of a session: `"expires:<id>"` (JSON). */
export function springBucketMember(id: string): string {
  return springMember(`expires:${id}`);
}

/** The width of the minute buckets (ms); the save script rounds with it too. */
export const SPRING_BUCKET_MS = 60_000;

/** The bucket a session expiring at `expiresAt` belongs to: the next whole minute (a time on a minute goes to the one after). */
export function springBucketMinute(expiresAt: number): number {
  return Math.floor((expiresAt + SPRING_BUCKET_MS) / SPRING_BUCKET_MS) * SPRING_BUCKET_MS;
}

/** The keyspace events Spring's indexed repository needs (`ConfigureNotifyKeyspaceEventsAction`): keyevents, generic (`del`) and expired. */
export const SPRING_KEYSPACE_FLAGS = ['E', 'g', 'x'] as const;

/** Every key of one namespace, built once (a store's, or the generator's for the document). */
export class SpringRedisKeys {
  constructor(
    /** Without a trailing colon, as Spring's `redisNamespace`. */
    readonly namespace: string,
  ) {
    if (namespace.length === 0 || /[*?[\]\s]/.test(namespace) || namespace.endsWith(':')) {
      throw new RangeError(`Spring Redis namespace '${namespace}' must be non-empty, without glob or space characters and without a trailing ':'`);
    }
  }

  session(id: string): string {
    return springSessionKey(this.namespace, id);
  }

  expires(id: string): string {
    return springExpiresKey(this.namespace, id);
  }

  moved(id: string): string {
    return springMovedKey(this.namespace, id);
  }

  bucket(minute: number): string {
    return springExpirationsBucketKey(this.namespace, minute);
  }

  /** What the minute buckets' keys start with (the minute follows). */
  get bucketPrefix(): string {
    return springExpirationsBucketKey(this.namespace, 0).slice(0, -1);
  }

  get zset(): string {
    return springExpirationsZsetKey(this.namespace);
  }

  principal(name: string): string {
    return springPrincipalKey(this.namespace, name);
  }

  created(db: number, id: string): string {
    return springCreatedChannel(this.namespace, db, id);
  }

  /** What the session hashes' keys start with. */
  get sessionPrefix(): string {
    return springSessionKey(this.namespace, '');
  }

  /** What the shadow keys start with. */
  get expiresPrefix(): string {
    return springExpiresKey(this.namespace, '');
  }

  /** The id of a session hash key, or null for any other key (shadow keys, the sorted set). */
  sessionIdOf(key: string): string | null {
    const prefix = this.sessionPrefix;
    if (!key.startsWith(prefix)) return null;
    const id = key.slice(prefix.length);
    return id.length === 0 || id.includes(':') ? null : id;
  }

  /** The id of a shadow key, or null for any other key. */
  expiresIdOf(key: string): string | null {
    const prefix = this.expiresPrefix;
    if (!key.startsWith(prefix)) return null;
    const id = key.slice(prefix.length);
    return id.length === 0 || id.includes(':') ? null : id;
  }
}
