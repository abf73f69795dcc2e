/**
 * The descriptor is what generated code hands the runtime: everything the runtime needs to know
 * about one session schema (attribute validators, defaults, indexes, store names), with no schema
 * file read at run time.
 */

/** An ajv standalone validator: a predicate that leaves its errors on itself. */
export interface AttributeValidator {
  (data: unknown): boolean;
  errors?: ReadonlyArray<ValidationIssue> | null;
}

/** The part of an ajv error object the runtime reads. */
export interface ValidationIssue {
  instancePath: string;
  message?: string;
  keyword?: string;
}

export interface AttributeDescriptor {
  readonly name: string;
  readonly validate: AttributeValidator;
  /** Returned by `get` when the attribute is absent; never stored. */
  readonly default?: unknown;
}

/** A family of attributes whose names match a pattern, such as `draft:<slug>`. */
export interface PatternAttributeDescriptor {
  /** The literal start every matching name has, such as `draft:`. */
  readonly prefix: string;
  readonly pattern: RegExp;
  readonly validate: AttributeValidator;
  /** The most attributes of this family one session may hold (`x-sessiongen.maxPatternAttributes`); absent = no count limit. */
  readonly maxAttributes?: number;
}

/**
 * Open attributes: what a schema whose `additionalProperties` is a schema (not `false`) allows for
 * any name that is neither declared nor in a pattern family's prefix, so an app can move its
 * untyped attributes first and declare them later.
 */
export interface OpenAttributesDescriptor {
  readonly validate: AttributeValidator;
}

export type IndexValueType = 'string' | 'integer' | 'number' | 'boolean';
export type IndexValue = string | number | boolean;

export interface IndexDescriptor {
  /** The index name, which is the attribute it indexes. */
  readonly name: string;
  readonly attribute: string;
  readonly type: IndexValueType;
  /** For string indexes: the longest value the schema allows (column width). */
  readonly maxLength?: number;
  /** Snake-case column / field name used by the stores. */
  readonly column: string;
}

export interface SqlNames {
  readonly table: string;
}

export interface RedisNames {
  /** Prefix of every key, such as `app:session`. */
  readonly keyPrefix: string;
}

export interface HazelcastNames {
  readonly map: string;
  readonly backupCount: number;
}

/**
 * Spring Session's layouts, for a schema with `x-sessiongen.compat: "spring"`: what the Spring
 * stores (`@sessiongen/runtime/spring`) need to share sessions with a Java app.
 */
export interface SpringNames {
  /** The Redis key namespace, as Spring's `redisNamespace` (`spring:session`). */
  readonly namespace: string;
  /** The JDBC session table (`SPRING_SESSION`); attributes live in `<table>_ATTRIBUTES`. */
  readonly table: string;
  /** The Java app's Redis repository: `indexed` (`RedisIndexedSessionRepository`) or `plain` (`RedisSessionRepository`). */
  readonly redisRepository: 'indexed' | 'plain';
  /** How the indexed repository tracks expiries: `minute` buckets (Spring's default) or a `sorted-set`. */
  readonly redisExpirations: 'minute' | 'sorted-set';
}

export interface SessionDescriptor {
  /** The type name, such as `AppSession`. */
  readonly name: string;
  readonly namespace: string;
  /** Default timeout in seconds; negative means never expires. */
  readonly maxInactiveInterval: number;
  readonly attributes: Readonly<Record<string, AttributeDescriptor>>;
  readonly patternAttributes: ReadonlyArray<PatternAttributeDescriptor>;
  /** Present when the schema leaves attributes open; absent means an undeclared name is rejected. */
  readonly openAttributes?: OpenAttributesDescriptor;
  /**
   * The most bytes a session's attributes may take as one JSON object (names and values, UTF-8):
   * `x-sessiongen.maxSessionBytes`. Absent = {@link DEFAULT_MAX_SESSION_BYTES}.
   */
  readonly maxSessionBytes?: number;
  readonly indexes: ReadonlyArray<IndexDescriptor>;
  /** The index that holds the principal name, if the schema declares one. */
  readonly principalIndex?: string;
  /**
   * `x-sessiongen.absoluteTimeout`: seconds from creation after which a session ends however active
   * it is. Absent = none (only the idle timeout applies).
   */
  readonly absoluteTimeout?: number;
  /** `x-sessiongen.maxSessionsPerPrincipal`: the most live sessions one principal may have. Absent = no limit. */
  readonly maxSessionsPerPrincipal?: PrincipalSessionLimit;
  /**
   * `x-sessiongen.touchInterval`: seconds. A request that changes nothing writes the session's
   * access time at most once per interval. Absent or 0 = on every request.
   */
  readonly touchInterval?: number;
  /** `x-sessiongen.devices`: the web integrations record each session's device (user agent, address, last seen). */
  readonly devices?: boolean;
  readonly sql: SqlNames;
  readonly redis: RedisNames;
  readonly hazelcast: HazelcastNames;
  /** Present when the schema shares its sessions with Spring Session (`x-sessiongen.compat: "spring"`). */
  readonly spring?: SpringNames;
}

/**
 * What a login does when its principal already has `max` live sessions: `end-least-recently-used`
 * (the default, as Spring Security's concurrent-session control) ends the principal's least
 * recently used sessions; `refuse` refuses the new login with `TooManySessionsError`.
 */
export interface PrincipalSessionLimit {
  readonly max: number;
  readonly policy: PrincipalSessionPolicy;
}

export type PrincipalSessionPolicy = 'end-least-recently-used' | 'refuse';

/** The session size limit when the schema sets none: 64 KiB of attributes. */
export const DEFAULT_MAX_SESSION_BYTES = 65_536;

/**
 * Finds the descriptor of an attribute name: a declared one, the pattern family whose prefix the
 * name starts with (when it matches the family's pattern: a name with a family's prefix belongs to
 * that family), or else the open attributes, if the schema has them.
 */
export function lookupAttribute(
  descriptor: SessionDescriptor,
  name: string,
): AttributeDescriptor | PatternAttributeDescriptor | OpenAttributesDescriptor | undefined {
  if (Object.prototype.hasOwnProperty.call(descriptor.attributes, name)) {
    return descriptor.attributes[name];
  }
  for (const family of descriptor.patternAttributes) {
    if (name.startsWith(family.prefix)) return family.pattern.test(name) ? family : undefined;
  }
  return descriptor.openAttributes;
}
