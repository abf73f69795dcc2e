const HIGH_SURROGATE = /[\ud800-\udbff]/;

/**
 * String length in Unicode code points, as JSON Schema's minLength/maxLength count it. Generated
 * validators import it from here instead of from ajv, so ajv is not needed at run time.
 */
export function ucs2length(str: string): number {
  // Without a high surrogate every code unit is a code point: no walk.
  if (!HIGH_SURROGATE.test(str)) return str.length;
  const len = str.length;
  let length = 0;
  let pos = 0;
  while (pos < len) {
    length++;
    const value = str.charCodeAt(pos++);
    if (value >= 0xd800 && value <= 0xdbff && pos < len) {
      const next = str.charCodeAt(pos);
      if ((next & 0xfc00) === 0xdc00) pos++;
    }
  }
  return length;
}

/** Structural equality of JSON values, as JSON Schema's const/enum/uniqueItems need it. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return a !== a && b !== b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, i) => deepEqual(item, other[i]));
  }
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((key) => Object.prototype.hasOwnProperty.call(b, key) && deepEqual((a as never)[key], (b as never)[key]));
}
