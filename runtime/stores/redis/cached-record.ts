import type { SessionRecord } from '../../core/store.js';

/**
 * A copy of a cached session record that shares nothing mutable with it: the cache keeps one
 * parsed record and hands out copies, so an app that changes a loaded value in place (pushes onto
 * an array attribute) changes its session only, never the cache.
 */
export function copyRecord(record: SessionRecord): SessionRecord {
  const attributes: Record<string, unknown> = {};
  for (const name of Object.keys(record.attributes)) attributes[name] = copyJson(record.attributes[name]);
  const copy: SessionRecord = { ...record, attributes };
  if (record.refused) copy.refused = { ...record.refused };
  return copy;
}

/** A deep copy of a value parsed from JSON (null, booleans, numbers, strings, arrays, plain objects). */
function copyJson(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copyJson(value[i]);
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const copied = copyJson((value as Record<string, unknown>)[key]);
    // JSON.parse makes `__proto__` an own property; an assignment would set the prototype instead.
    if (key === '__proto__') Object.defineProperty(out, key, { value: copied, enumerable: true, writable: true, configurable: true });
    else out[key] = copied;
  }
  return out;
}
