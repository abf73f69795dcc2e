export { GeodeSessionStore, type GeodeStoreOptions } from './geode-store.js';
export type { GeodeSessionRegions, GeodeIndexField, GeodeSessionDocument, GeodeEntryState } from './mapping.js';
export {
  GEODE_DOCUMENT_FIELDS,
  GEODE_NEVER_EXPIRES,
  GEODE_EXPIRY_GRACE_SECONDS,
  GEODE_QUERIES,
  geodeLongRegionName,
  geodeEntryTtlSeconds,
  geodeIndexName,
  geodeFromClause,
  geodeFieldPath,
  geodeIndexValue,
  encodeGeodeDocument,
  decodeGeodeDocument,
} from './layout.js';
export { GeodeRestClient, GeodeRestError } from './rest-client.js';
export { openGeodeStoreFromEnv, DEFAULT_GEODE_URL } from './from-env.js';
