import { openAppSessionDescriptor } from '../conformance/open-descriptor.js';
import { describeConformance } from '../conformance/suite.js';
import { keysUnder, openStore } from './helpers.js';

// The whole suite with the client-side cache on (both instances of the two-instance cases cache).
describeConformance('redis (standalone, client cache)', async () => {
  const opened = await openStore('standalone', { clientCache: true }, openAppSessionDescriptor);
  return {
    store: opened.store,
    expiredEvents: opened.store.notifications === 'on',
    // A keyspace notification names only the key, which is gone by then: no times, no reason.
    expiredReasons: false,
    descriptor: openAppSessionDescriptor,
    // Redis deletes an expired key (and publishes its event) when it samples or touches it; with
    // many volatile keys on a shared server sampling can lag, so the test touches its keys (SCAN).
    expireNow: async () => void (await keysUnder(opened.client, opened.prefix)),
    // The session hash `<prefix>:{<id>}` keeps each attribute's JSON in a field of its name.
    plantRaw: async (id, name, json) => void (await opened.client.hset(`${opened.prefix}:{${id}}`, name, json)),
    openPeer: opened.openPeer,
    close: async () => {
      // The suite proves nothing about the cache unless the cache served some of its loads.
      const stats = opened.store.clientCacheStats!;
      await opened.close();
      if (stats.hits < 100) throw new Error(`the client cache served only ${stats.hits} loads during the suite: ${JSON.stringify(stats)}`);
    },
  };
});
