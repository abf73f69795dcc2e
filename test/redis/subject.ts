/** The Redis store as a conformance subject, on either topology and either client library. */
import type { SessionDescriptor } from '@sessiongen/runtime';
import type { RedisStoreOptions } from '@sessiongen/runtime/redis';
import type { StoreUnderTest } from '../conformance/suite.js';
import { keysUnder, openStore, type Library, type Topology } from './helpers.js';

export async function redisSubject(topology: Topology, library: Library, descriptor: SessionDescriptor, options: RedisStoreOptions = {}): Promise<StoreUnderTest> {
  const opened = await openStore(topology, options, descriptor, library);
  // The test servers allow CONFIG SET: expired events must be on, or their cases would not run.
  if (opened.store.notifications !== 'on') throw new Error(`expired events are ${opened.store.notifications} on the test Redis (${topology}, ${library})`);
  return {
    store: opened.store,
    expiredEvents: opened.store.notifications === 'on',
    // A keyspace notification names only the key, which is gone by then: no times, no reason.
    expiredReasons: false,
    descriptor,
    // Redis deletes an expired key (and publishes its event) when it samples or touches it; with
    // many volatile keys on a shared server sampling can lag, so the test touches its keys (SCAN).
    expireNow: async () => void (await keysUnder(opened.admin, opened.prefix)),
    // The session hash `<prefix>:{<id>}` keeps each attribute's JSON in a field of its name.
    plantRaw: async (id, name, json) => void (await opened.admin.hset(`${opened.prefix}:{${id}}`, name, json)),
    openPeer: opened.openPeer,
    close: async () => {
      // With the client cache on, the suite proves nothing about it unless the cache served some of its loads.
      const stats = opened.store.clientCacheStats;
      await opened.close();
      if (stats && stats.hits < 100) throw new Error(`the client cache served only ${stats.hits} loads during the suite: ${JSON.stringify(stats)}`);
    },
  };
}
