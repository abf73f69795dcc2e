import type { IndexValueType } from '../../core/descriptor.js';
import type { GeodeEntryState, GeodeMarker, GeodeSessionDocument, GeodeSessionRegions } from './mapping.js';

/**
 * How sessions are kept in Apache Geode / GemFire regions: one JSON document per entry (the REST
 * API stores it as PDX), the region names, their expiration and the OQL the store runs. The
 * generator writes cache.xml from here, and the store reads and writes documents and queries
 * through here, so the two agree.
 *
 * Every document has the same fields — the fixed ones, one string per schema index, and the
 * attributes as ONE JSON string — so the servers register the same few PDX types whatever the
 * attribute names (at most three: the timeout is stored as a byte, short or int by its size). PDX
 * types are never removed, and attribute names (or nested values) as JSON object keys would
 * register a new one for every new set of names.
 */

/** The fields of a stored document, in order. Index fields (named by their column) come before `attributes`. */
export const GEODE_DOCUMENT_FIELDS = {
  id: 'session_id',
  creationTime: 'creation_time',
  lastAccessedTime: 'last_access_time',
  maxInactiveInterval: 'max_inactive_interval',
  /** Epoch ms; {@link GEODE_NEVER_EXPIRES} for a session that never expires; for a marker, when the sweep may remove it. */
  expiresAt: 'expiry_time',
  /** `live`, or the marker a deleted, expired or moved session leaves: see {@link GeodeEntryState}. */
  state: 'entry_state',
  /** '' for a session; for a marker, {@link GeodeMarker} as JSON text (a string: one PDX type for both). */
  marker: 'marker',
  /** The attributes, as one JSON text. */
  attributes: 'attributes',
} as const;

/** `expiry_time` of a session that never expires: a 64-bit number, so the field keeps one PDX type. */
export const GEODE_NEVER_EXPIRES = Number.MAX_SAFE_INTEGER;

/**
 * How long the expiring region keeps an entry past the schema's timeout. The store's sweep (every
 * minute by default) finds an expired session within this margin and reports its expiry; the
 * region's own expiration is the backstop that cleans up when no store runs the sweep. It also
 * bounds how long a marker of a deleted session can stay in that region.
 */
export const GEODE_EXPIRY_GRACE_SECONDS = 300;

/** The region for sessions that outlive the expiring region's entry TTL: `<region>-long`. */
export function geodeLongRegionName(region: string): string {
  return `${region}-long`;
}

/** The expiring region's `entry-time-to-live`: the schema's timeout plus the grace; 0 when sessions never expire by default. */
export function geodeEntryTtlSeconds(maxInactiveInterval: number): number {
  return maxInactiveInterval > 0 ? maxInactiveInterval + GEODE_EXPIRY_GRACE_SECONDS : 0;
}

/** cache.xml's name for the index on one document field of one region: `<region>_<field>`. */
export function geodeIndexName(region: string, field: string): string {
  return `${region}_${field}`;
}

/** The from-clause of every query and index on a region (region names are letters, digits, '-' and '_'). */
export function geodeFromClause(region: string): string {
  return `/${region} s`;
}

/** A document field in OQL, quoted so that no field name can be read as an OQL keyword. */
export function geodeFieldPath(field: string): string {
  return `s."${field}"`;
}

/**
 * The OQL queries the store registers as named, parameterized queries (`POST /queries`) and runs
 * with typed arguments: values are only ever `$n` arguments, never part of the text.
 */
export const GEODE_QUERIES = {
  /** `$1`: the index value as {@link geodeIndexValue} writes it. */
  byIndex: (region: string, field: string) => `SELECT * FROM ${geodeFromClause(region)} WHERE ${geodeFieldPath(field)} = $1`,
  /** `$1` 'live', `$2` now (ms), `$3` the last id of the page before ('' first), `$4` page size. */
  liveIds: (region: string) => {
    const F = GEODE_DOCUMENT_FIELDS;
    return (
      `SELECT ${geodeFieldPath(F.id)} FROM ${geodeFromClause(region)} WHERE ${geodeFieldPath(F.state)} = $1 ` +
      `AND ${geodeFieldPath(F.expiresAt)} > $2 AND ${geodeFieldPath(F.id)} > $3 ORDER BY ${geodeFieldPath(F.id)} LIMIT $4`
    );
  },
  /** Entries due to the sweep: sessions expired and markers past their time. `$1` now (ms), `$2` batch size. */
  due: (region: string) => {
    const F = GEODE_DOCUMENT_FIELDS;
    return `SELECT ${geodeFieldPath(F.id)} FROM ${geodeFromClause(region)} WHERE ${geodeFieldPath(F.expiresAt)} < $1 LIMIT $2`;
  },
} as const;

/**
 * The value an index field holds: the attribute's value as JSON text when it has the index's type
 * (so "42" and 42 stay apart and every index field is a string), else '' (no value; no JSON text
 * is empty, so '' never matches a lookup).
 */
export function geodeIndexValue(value: unknown, type: IndexValueType): string {
  switch (type) {
    case 'string':
      return typeof value === 'string' ? JSON.stringify(value) : '';
    case 'integer':
      return Number.isSafeInteger(value) ? JSON.stringify(value) : '';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? JSON.stringify(value) : '';
    case 'boolean':
      return typeof value === 'boolean' ? JSON.stringify(value) : '';
    default:
      return '';
  }
}

const STATES: ReadonlySet<string> = new Set<GeodeEntryState>(['live', 'deleted', 'expired', 'moved', 'relocated']);

/**
 * The stored JSON text of a document: the fixed fields, the index fields (from the attributes of a
 * live session; '' in a marker, so finders never meet one), the attributes as one JSON string,
 * always in that order.
 */
export function encodeGeodeDocument(regions: Pick<GeodeSessionRegions, 'indexFields'>, document: GeodeSessionDocument): string {
  const F = GEODE_DOCUMENT_FIELDS;
  const live = document.state === 'live';
  const stored: Record<string, unknown> = {
    [F.id]: document.id,
    [F.creationTime]: document.creationTime,
    [F.lastAccessedTime]: document.lastAccessedTime,
    [F.maxInactiveInterval]: document.maxInactiveInterval,
    [F.expiresAt]: document.expiresAt ?? GEODE_NEVER_EXPIRES,
    [F.state]: document.state,
    [F.marker]: live || !document.marker ? '' : JSON.stringify(document.marker),
  };
  for (const index of regions.indexFields) stored[index.field] = live ? geodeIndexValue(document.attributes[index.attribute], index.type) : '';
  stored[F.attributes] = JSON.stringify(document.attributes);
  return JSON.stringify(stored);
}

/** A document from the JSON text the REST API answers with, checking the fixed fields (a foreign entry reads as unusable). */
export function decodeGeodeDocument(text: string): GeodeSessionDocument {
  return documentOf(JSON.parse(text));
}

/** A document from an already parsed value (a query's result row). */
export function documentOf(value: unknown): GeodeSessionDocument {
  const F = GEODE_DOCUMENT_FIELDS;
  const stored = value as Record<string, unknown> | null;
  if (
    stored === null ||
    typeof stored !== 'object' ||
    typeof stored[F.id] !== 'string' ||
    typeof stored[F.creationTime] !== 'number' ||
    typeof stored[F.lastAccessedTime] !== 'number' ||
    typeof stored[F.maxInactiveInterval] !== 'number' ||
    typeof stored[F.expiresAt] !== 'number' ||
    typeof stored[F.state] !== 'string' ||
    !STATES.has(stored[F.state] as string) ||
    typeof stored[F.marker] !== 'string' ||
    typeof stored[F.attributes] !== 'string'
  ) {
    throw new TypeError('not a sessiongen session document');
  }
  const attributes = JSON.parse(stored[F.attributes] as string) as unknown;
  if (attributes === null || typeof attributes !== 'object' || Array.isArray(attributes)) throw new TypeError('not a sessiongen session document');
  const expiresAt = stored[F.expiresAt] as number;
  const document: GeodeSessionDocument = {
    id: stored[F.id] as string,
    creationTime: stored[F.creationTime] as number,
    lastAccessedTime: stored[F.lastAccessedTime] as number,
    maxInactiveInterval: stored[F.maxInactiveInterval] as number,
    expiresAt: expiresAt >= GEODE_NEVER_EXPIRES ? null : expiresAt,
    state: stored[F.state] as GeodeEntryState,
    attributes: attributes as Record<string, unknown>,
  };
  if (document.state !== 'live') document.marker = markerOf(stored[F.marker] as string);
  return document;
}

function markerOf(text: string): GeodeMarker {
  const value = (text === '' ? null : JSON.parse(text)) as Partial<GeodeMarker> | null;
  if (value === null || typeof value !== 'object' || typeof value.at !== 'number') throw new TypeError('not a sessiongen marker');
  const marker: GeodeMarker = { at: value.at };
  if (typeof value.to === 'string') marker.to = value.to;
  if (typeof value.until === 'number') marker.until = value.until;
  return marker;
}
