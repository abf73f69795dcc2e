import type { IndexValue, IndexValueType } from '../../core/descriptor.js';
import type { HazelcastSessionDocument, HazelcastSessionMapping } from './mapping.js';

/**
 * How a session is stored in a Hazelcast map: one JSON document (`HazelcastJsonValue`) per
 * session, written and read here. The generator names the member config's indexes from here and
 * emits the per-schema part (map name, TTL, index fields) as data (`generated/hazelcast/mapping.ts`).
 */

/**
 * The fixed top-level fields of a stored session document. Index fields (one per schema index,
 * named by its column: `principal_name`) come after them, then the attributes as one object.
 */
export const HAZELCAST_DOCUMENT_FIELDS = {
  id: 'session_id',
  creationTime: 'creation_time',
  lastAccessedTime: 'last_access_time',
  maxInactiveInterval: 'max_inactive_interval',
  /** Epoch ms, or null when the session never expires. */
  expiresAt: 'expiry_time',
  attributes: 'attributes',
} as const;

/** The member config's name for the index on one document field: `<map>_<field>`. */
export function hazelcastIndexName(map: string, field: string): string {
  return `${map}_${field}`;
}

/**
 * The map of a session map's id-change markers: `<map>_moved_ids` (the member's default map
 * config; each entry carries its own TTL, the repository's `idForwardingMs`).
 */
export function hazelcastMovedIdsMap(sessionMap: string): string {
  return `${sessionMap}_moved_ids`;
}

/** An id-change marker: the session's new id, and until when (epoch ms) it forwards writes. */
export interface HazelcastMoveMarker {
  to: string;
  until: number;
}

/** A marker's stored text (the map holds strings; `putIfAbsent` and `remove` compare it whole). */
export function encodeHazelcastMoveMarker(marker: HazelcastMoveMarker): string {
  return JSON.stringify({ to: marker.to, until: marker.until });
}

/** A marker from its stored text, or null when the text is not one. */
export function decodeHazelcastMoveMarker(text: string): HazelcastMoveMarker | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (value === null || typeof value !== 'object') return null;
  const { to, until } = value as { to?: unknown; until?: unknown };
  return typeof to === 'string' && typeof until === 'number' ? { to, until } : null;
}

/** The value an index field holds for an attribute value: the value when it has the index's type, else null. */
export function hazelcastIndexValue(value: unknown, type: IndexValueType): IndexValue | null {
  switch (type) {
    case 'string':
      return typeof value === 'string' ? value : null;
    case 'integer':
      return Number.isSafeInteger(value) ? (value as number) : null;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    default:
      return null;
  }
}

/**
 * The stored JSON text of a session: the fixed fields, the mapping's index fields, the attributes,
 * in that order (the member's metadata policy is off, so index fields near the start are cheap to
 * find). The same document always gives the same text.
 */
export function encodeHazelcastDocument(mapping: Pick<HazelcastSessionMapping, 'indexFields'>, document: HazelcastSessionDocument): string {
  const F = HAZELCAST_DOCUMENT_FIELDS;
  const stored: Record<string, unknown> = {
    [F.id]: document.id,
    [F.creationTime]: document.creationTime,
    [F.lastAccessedTime]: document.lastAccessedTime,
    [F.maxInactiveInterval]: document.maxInactiveInterval,
    [F.expiresAt]: document.expiresAt,
  };
  for (const index of mapping.indexFields) stored[index.field] = hazelcastIndexValue(document.attributes[index.attribute], index.type);
  stored[F.attributes] = document.attributes;
  return JSON.stringify(stored);
}

/** A session from its stored JSON text, checking the fixed fields' types (a foreign entry reads as unusable). */
export function decodeHazelcastDocument(text: string): HazelcastSessionDocument {
  const F = HAZELCAST_DOCUMENT_FIELDS;
  const value = JSON.parse(text) as Record<string, unknown> | null;
  if (
    value === null ||
    typeof value !== 'object' ||
    typeof value[F.id] !== 'string' ||
    typeof value[F.creationTime] !== 'number' ||
    typeof value[F.lastAccessedTime] !== 'number' ||
    typeof value[F.maxInactiveInterval] !== 'number' ||
    typeof value[F.attributes] !== 'object' ||
    value[F.attributes] === null
  ) {
    throw new TypeError('not a sessiongen session document');
  }
  const expiresAt = value[F.expiresAt];
  return {
    id: value[F.id] as string,
    creationTime: value[F.creationTime] as number,
    lastAccessedTime: value[F.lastAccessedTime] as number,
    maxInactiveInterval: value[F.maxInactiveInterval] as number,
    expiresAt: typeof expiresAt === 'number' ? expiresAt : null,
    attributes: value[F.attributes] as Record<string, unknown>,
  };
}
