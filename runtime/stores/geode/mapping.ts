import type { IndexValueType } from '../../core/descriptor.js';

/**
 * What the Geode store needs to know about one schema's regions. Generated code
 * (`generated/geode/region.ts`) provides it as plain data, matching the server config generated
 * beside it (`cache.xml`); the document format and the queries are the store's own (layout.ts).
 */
export interface GeodeSessionRegions {
  /**
   * The region of sessions whose time left is at most the schema's timeout: Geode destroys its
   * entries `entryTtlSeconds` after their last write (the region's `entry-time-to-live`).
   */
  readonly region: string;
  /**
   * The region of sessions that would outlive that: longer timeouts and sessions that never
   * expire. It has no expiration of its own; the store's sweep removes what expired there.
   */
  readonly longRegion: string;
  /**
   * The `entry-time-to-live` of `region` in the generated cache.xml: the schema's timeout plus
   * {@link GEODE_EXPIRY_GRACE_SECONDS}. 0 when sessions never expire by default (then every session
   * is kept in `longRegion`).
   */
  readonly entryTtlSeconds: number;
  /** `redundant-copies` of both partitioned regions. */
  readonly redundantCopies: number;
  /** One top-level document field per schema index, indexed on the servers. */
  readonly indexFields: ReadonlyArray<GeodeIndexField>;
}

export interface GeodeIndexField {
  /** The descriptor's index name. */
  readonly index: string;
  /** The attribute whose value the field copies. */
  readonly attribute: string;
  /** The top-level document field (the index's column name), which cache.xml indexes. */
  readonly field: string;
  readonly type: IndexValueType;
}

/**
 * What a stored entry is: a session (`live`), or the marker a session leaves behind when it is
 * deleted, expires (claimed by the sweep), moves to a new id in the same region (`moved`), or moves
 * to the long region, under a new id or its own (`relocated`). A moving marker holds the session
 * as it was moved, so that a move cut short can be finished from it.
 */
export type GeodeEntryState = 'live' | 'deleted' | 'expired' | 'moved' | 'relocated';

/** What a marker records beside the state. */
export interface GeodeMarker {
  /** Epoch ms at which it was placed. */
  at: number;
  /** For `moved` and `relocated`: the session's new id (its own, for a session relocated under the same id). */
  to?: string;
  /** For a move to a new id: until when (epoch ms) writes under the old id are forwarded to the new one. */
  until?: number;
}

/** A stored entry as the store reads and writes it. */
export interface GeodeSessionDocument {
  id: string;
  creationTime: number;
  lastAccessedTime: number;
  maxInactiveInterval: number;
  /**
   * For a session: epoch ms at which it expires, or null when it never does. For a marker: the
   * epoch ms after which the sweep removes it.
   */
  expiresAt: number | null;
  state: GeodeEntryState;
  /** Present on every entry but a live session. */
  marker?: GeodeMarker;
  attributes: Record<string, unknown>;
}
