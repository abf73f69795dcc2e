import type { IndexValue, IndexValueType } from '../../core/descriptor.js';

/**
 * How a session lives in a Hazelcast map. Generated code (`generated/hazelcast/mapping.ts`) provides
 * one per schema, matching the member config generated beside it (`member.xml` / `member.yaml`).
 *
 * The value format is JSON (`HazelcastJsonValue`): members parse, index and query JSON fields
 * natively, so no Java class of ours is ever needed on a member. Index fields are top-level fields
 * of the document (so `Predicates.equal('principal_name', …)` runs on the member's index), and the
 * attributes are one nested object.
 */
export interface HazelcastSessionMapping {
  /** The IMap name, as in the member config. */
  readonly map: string;
  /** Synchronous backups configured for the map. */
  readonly backupCount: number;
  /**
   * The map's `time-to-live-seconds` in the generated member config (the schema's default timeout,
   * or 0 when sessions never expire by default). A write without a TTL (`replaceIfSame`) gets it.
   */
  readonly mapTtlSeconds: number;
  readonly valueFormat: 'json';
  /** One top-level document field per schema index, indexed on the member. */
  readonly indexFields: ReadonlyArray<HazelcastIndexField>;
  /** The stored JSON text of a session; the same document always gives the same text. */
  encode(document: HazelcastSessionDocument): string;
  /** The session from the stored JSON text. */
  decode(text: string): HazelcastSessionDocument;
}

export interface HazelcastIndexField {
  /** The descriptor's index name. */
  readonly index: string;
  /** The attribute whose value the field copies. */
  readonly attribute: string;
  /** The top-level JSON field (the index's column name), which the member config indexes. */
  readonly field: string;
  readonly type: IndexValueType;
}

export interface HazelcastSessionDocument {
  id: string;
  creationTime: number;
  lastAccessedTime: number;
  maxInactiveInterval: number;
  /** Epoch ms, or null when the session never expires. */
  expiresAt: number | null;
  attributes: Record<string, unknown>;
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

/** Reads a stored document's fixed fields, checking their types (a foreign entry reads as unusable). */
export function hazelcastDocumentFromJson(parsed: unknown): HazelcastSessionDocument {
  const value = parsed as Record<string, unknown> | null;
  if (
    value === null ||
    typeof value !== 'object' ||
    typeof value.session_id !== 'string' ||
    typeof value.creation_time !== 'number' ||
    typeof value.last_access_time !== 'number' ||
    typeof value.max_inactive_interval !== 'number' ||
    typeof value.attributes !== 'object' ||
    value.attributes === null
  ) {
    throw new TypeError('not a sessiongen session document');
  }
  return {
    id: value.session_id,
    creationTime: value.creation_time,
    lastAccessedTime: value.last_access_time,
    maxInactiveInterval: value.max_inactive_interval,
    expiresAt: typeof value.expiry_time === 'number' ? value.expiry_time : null,
    attributes: value.attributes as Record<string, unknown>,
  };
}
