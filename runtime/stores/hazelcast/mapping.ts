import type { IndexValueType } from '../../core/descriptor.js';

/**
 * What the store needs to know about one schema's Hazelcast map. Generated code
 * (`generated/hazelcast/mapping.ts`) provides it as plain data, matching the member config
 * generated beside it (`member.xml` / `member.yaml`); the document format itself is the store's
 * (layout.ts).
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

/** A session as the store reads and writes it. */
export interface HazelcastSessionDocument {
  id: string;
  creationTime: number;
  lastAccessedTime: number;
  maxInactiveInterval: number;
  /** Epoch ms, or null when the session never expires. */
  expiresAt: number | null;
  attributes: Record<string, unknown>;
}
