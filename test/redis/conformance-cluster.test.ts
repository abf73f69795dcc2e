import { openAppSessionDescriptor } from '../conformance/open-descriptor.js';
import { describeConformance } from '../conformance/suite.js';
import { keysUnder, openStore } from './helpers.js';

describeConformance('redis (3-master cluster)', async () => {
  const opened = await openStore('cluster', {}, openAppSessionDescriptor);
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
    close: opened.close,
  };
});
