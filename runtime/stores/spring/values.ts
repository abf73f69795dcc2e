/**
 * Attribute values in Spring's layouts: UTF-8 JSON without type information, which is what the
 * Java side writes once it is configured as `generated/spring/LAYOUT.md` says. What else a Java
 * app may have written is recognised and refused, never exposed and never rewritten:
 *
 * - Java serialization (`AC ED 00 05 …`), Spring Session's default value format;
 * - JSON with Java type ids: `["java.util.ArrayList",[…]]` or `{"@class":"…"}`, what Jackson
 *   writes with default typing (`GenericJackson2JsonRedisSerializer()`, Spring Security's modules).
 */

/** The Java bean that decides the Redis value format. */
export const SPRING_REDIS_SERIALIZER_BEAN = 'springSessionDefaultRedisSerializer';
/** The Java bean that decides the JDBC attribute format. */
export const SPRING_JDBC_CONVERSION_BEAN = 'springSessionConversionService';

export type SpringValueStore = 'redis' | 'jdbc';

/** A stored value as sessiongen reads it: the JSON value, or why it cannot be one. */
export type DecodedValue = { ok: true; value: unknown } | { ok: false; reason: string; found: unknown };

const JAVA_SERIALIZATION = [0xac, 0xed];
/** `java.util.ArrayList`, `java.util.Collections$UnmodifiableList`, `[Ljava.lang.String;`, `com.example.Cart`. */
const JAVA_CLASS_NAME = /^(?:\[+L)?[a-z_$][\w$]*(?:\.[a-z_$][\w$]*)*\.[A-Z][\w$]*;?$/;

/** The sentence that says what to change on the Java side, for a store. */
export function javaSettingToChange(store: SpringValueStore): string {
  return store === 'redis'
    ? `give the Java app a ${SPRING_REDIS_SERIALIZER_BEAN} bean that writes plain JSON (the one generated/spring/LAYOUT.md shows)`
    : `give the Java app a ${SPRING_JDBC_CONVERSION_BEAN} bean that converts with plain JSON (the one generated/spring/LAYOUT.md shows)`;
}

/** Whether the bytes are a Java serialization stream. */
export function isJavaSerialization(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === JAVA_SERIALIZATION[0] && bytes[1] === JAVA_SERIALIZATION[1];
}

/**
 * Where a parsed JSON value carries a Java type id, as a JSON pointer and the class named, or
 * undefined when it carries none.
 */
export function findJavaTypeId(value: unknown, path = ''): { path: string; className: string } | undefined {
  if (Array.isArray(value)) {
    if (value.length === 2 && typeof value[0] === 'string' && JAVA_CLASS_NAME.test(value[0])) {
      return { path, className: value[0] };
    }
    for (let i = 0; i < value.length; i++) {
      const found = findJavaTypeId(value[i], `${path}/${i}`);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    if (typeof record['@class'] === 'string') return { path, className: record['@class'] };
    for (const [key, item] of Object.entries(record)) {
      const found = findJavaTypeId(item, `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`);
      if (found) return found;
    }
  }
  return undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads one stored value (an attribute's bytes, or a Redis hash field's): JSON, or the reason it is
 * refused, which names `what` (such as `attribute 'cart'`) and the Java setting to change.
 */
export function decodeSpringValue(bytes: Uint8Array, what: string, store: SpringValueStore): DecodedValue {
  const fix = javaSettingToChange(store);
  if (isJavaSerialization(bytes)) {
    return { ok: false, found: undefined, reason: `${what} is Java serialization (Spring Session's default format), which sessiongen cannot read: ${fix}` };
  }
  let text: string;
  let value: unknown;
  try {
    text = utf8.decode(bytes);
    value = JSON.parse(text);
  } catch {
    return { ok: false, found: undefined, reason: `${what} is not UTF-8 JSON, which sessiongen cannot read: ${fix}` };
  }
  const typed = findJavaTypeId(value);
  if (typed) {
    return {
      ok: false,
      found: value,
      reason: `${what} carries the Java type id '${typed.className}'${typed.path ? ` at ${typed.path}` : ''} (Jackson default typing), which sessiongen does not write or read: ${fix}, over an ObjectMapper without default typing`,
    };
  }
  return { ok: true, value };
}

/**
 * A value's JSON text as Jackson writes it, so that a value has the same bytes whichever side wrote
 * it (the JDBC store finds sessions by an attribute's bytes): `JSON.stringify`, with characters
 * beyond the Basic Multilingual Plane escaped as surrogate pairs (`𝄞` → `\uD834\uDD1E`) and every
 * `\u` escape in upper case, as Jackson's UTF-8 generator does. Numbers are JavaScript's (Jackson
 * writes a `Double` 5 as `5.0` and 1e21 as `1.0E21`).
 */
export function springJson(value: unknown): string {
  return JSON.stringify(value).replace(/\\(u[0-9a-f]{4}|.)|[\ud800-\udbff][\udc00-\udfff]/g, (match: string, escape: string | undefined) => {
    if (escape === undefined) return `\\u${hex(match.charCodeAt(0))}\\u${hex(match.charCodeAt(1))}`;
    return escape.startsWith('u') ? `\\u${escape.slice(1).toUpperCase()}` : match;
  });
}

function hex(code: number): string {
  return code.toString(16).toUpperCase().padStart(4, '0');
}

/** An attribute value as Spring's layouts keep it: its JSON text ({@link springJson}) in UTF-8. */
export function encodeSpringValue(value: unknown): Buffer {
  return Buffer.from(springJson(value), 'utf8');
}
