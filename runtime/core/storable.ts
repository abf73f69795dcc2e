/**
 * Values every store holds alike. Each store keeps attributes as JSON text, but not every one takes
 * every JSON text: PostgreSQL's `jsonb` refuses U+0000 and lone surrogates (`\u0000`, `\ud800`),
 * MariaDB refuses lone surrogates, while SQLite, Redis and Hazelcast keep them. A session rejects
 * such a value at `set` for every store, so a value the schema accepts can never fail a save.
 */

/** U+0000, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one. */
const UNSTORABLE_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const NON_ASCII = /[^\x00-\x7f]/;

/** Where a value holds something a store cannot keep, and what: undefined when every store keeps it. */
export interface Unstorable {
  /** JSON pointer inside the value (`''` for the value itself, `/0/note` below it). */
  readonly path: string;
  readonly reason: string;
}

/** Any U+0000 or surrogate: only text that has one needs the exact (slower) test above. */
const MAYBE_UNSTORABLE = /[\u0000\ud800-\udfff]/;

function isStorableText(text: string): boolean {
  return !MAYBE_UNSTORABLE.test(text) || !UNSTORABLE_TEXT.test(text);
}

/**
 * Walks a JSON value for strings (and object keys) with U+0000 or a lone surrogate, and numbers
 * JSON cannot write (NaN, ±Infinity; a schema with a `type` already rejects those). The walk
 * builds no pointer unless it finds something: most values have nothing to report.
 */
export function findUnstorable(value: unknown, path = ''): Unstorable | undefined {
  return isStorable(value) ? undefined : locateUnstorable(value, path);
}

/** Whether every store keeps the value as it is (the common case, checked without allocating). */
function isStorable(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
      return isStorableText(value);
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!isStorable(value[i])) return false;
        return true;
      }
      for (const key in value) {
        if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
        if (!isStorableText(key) || !isStorable((value as Record<string, unknown>)[key])) return false;
      }
      return true;
    }
    default:
      return true;
  }
}

function locateUnstorable(value: unknown, path: string): Unstorable | undefined {
  switch (typeof value) {
    case 'string':
      return UNSTORABLE_TEXT.test(value) ? { path, reason: describeText(value, 'string') } : undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : { path, reason: `${value} is not a JSON number` };
    case 'object': {
      if (value === null) return undefined;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const found = locateUnstorable(value[i], `${path}/${i}`);
          if (found) return found;
        }
        return undefined;
      }
      for (const [key, item] of Object.entries(value)) {
        const at = `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
        if (UNSTORABLE_TEXT.test(key)) return { path: at, reason: describeText(key, 'key') };
        const found = locateUnstorable(item, at);
        if (found) return found;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

function describeText(text: string, what: 'string' | 'key'): string {
  const match = UNSTORABLE_TEXT.exec(text)!;
  const code = match[0].charCodeAt(0).toString(16).padStart(4, '0');
  const found = code === '0000' ? 'U+0000 (NUL)' : `a lone surrogate (U+${code.toUpperCase()})`;
  return `the ${what} holds ${found} at index ${match.index}, which not every session store can keep`;
}

/**
 * The UTF-8 length of a string: the bytes its JSON text takes in a store. Lone surrogates, which
 * `set` rejects anyway, count as the 6 bytes of their `\uXXXX` escape.
 */
export function utf8Length(text: string): number {
  if (!NON_ASCII.test(text)) return text.length;
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) bytes += 1;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 2; // a pair: two code units, four bytes
      i++;
    } else if (code >= 0xd800 && code <= 0xdfff) bytes += 5;
    else bytes += 2;
  }
  return bytes;
}
