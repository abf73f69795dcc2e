export {
  HazelcastSessionStore,
  type HazelcastClient,
  createHazelcastSessionClient,
  hazelcastClientConfig,
  type HazelcastStoreOptions,
} from './hazelcast-store.js';
export {
  hazelcastIndexValue,
  hazelcastDocumentFromJson,
  type HazelcastSessionMapping,
  type HazelcastIndexField,
  type HazelcastSessionDocument,
} from './mapping.js';
export { openHazelcastStoreFromEnv } from './from-env.js';
