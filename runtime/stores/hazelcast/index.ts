export {
  HazelcastSessionStore,
  type HazelcastClient,
  createHazelcastSessionClient,
  hazelcastClientConfig,
  type HazelcastStoreOptions,
} from './hazelcast-store.js';
export type { HazelcastSessionMapping, HazelcastIndexField, HazelcastSessionDocument } from './mapping.js';
export {
  HAZELCAST_DOCUMENT_FIELDS,
  hazelcastIndexName,
  hazelcastIndexValue,
  encodeHazelcastDocument,
  decodeHazelcastDocument,
  hazelcastMovedIdsMap,
  type HazelcastMoveMarker,
  encodeHazelcastMoveMarker,
  decodeHazelcastMoveMarker,
} from './layout.js';
export { openHazelcastStoreFromEnv } from './from-env.js';
