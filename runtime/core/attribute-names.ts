/**
 * The one rule for attribute names, whatever the schema declares: every store holds any name that
 * passes it safely (a SQL JSON path member bound as a parameter, a Redis hash field, a key of a
 * Hazelcast or memory JSON object). Names a schema declares always pass; the rule matters for
 * open attributes (`additionalProperties` as a schema) and for permissive pattern families.
 */

/** The longest attribute name, in UTF-16 code units. */
export const MAX_ATTRIBUTE_NAME_LENGTH = 128;

/** Control characters (C0, DEL, C1) and lone surrogates, which no store can hold as they are. */
const UNSAFE_CHARACTER = /[\p{Cc}\p{Cs}]/u;

/**
 * Why `name` cannot be an attribute name, or undefined when it can: 1 to 128 characters, no
 * control character or lone surrogate, not starting with `#` (the Redis store keeps its own fields
 * under `#`), and not `__proto__` (which a plain JavaScript object cannot hold as a key).
 */
export function attributeNameProblem(name: string): string | undefined {
  if (typeof name !== 'string' || name.length === 0) return 'an attribute name must not be empty';
  if (name.length > MAX_ATTRIBUTE_NAME_LENGTH) return `an attribute name has at most ${MAX_ATTRIBUTE_NAME_LENGTH} characters`;
  if (UNSAFE_CHARACTER.test(name)) return 'an attribute name must not contain control characters or lone surrogates';
  if (name.startsWith('#')) return "an attribute name must not start with '#'";
  if (name === '__proto__') return "'__proto__' cannot be an attribute name";
  return undefined;
}
