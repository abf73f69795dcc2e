import { HazelcastJsonValue } from 'hazelcast-client';
import { decodeHazelcastDocument, encodeHazelcastDocument, openHazelcastStoreFromEnv } from '@sessiongen/runtime/hazelcast';
import { appSessionHazelcastMapping } from '../../generated/hazelcast/mapping.js';
import { openAppSessionDescriptor } from './open-descriptor.js';
import { describeConformance } from './suite.js';

// Against the member the global setup started from generated/hazelcast/member.xml.
describeConformance('hazelcast', async () => {
  const store = await openHazelcastStoreFromEnv(openAppSessionDescriptor, appSessionHazelcastMapping, process.env);
  return {
    store,
    // Expired events come from the member's entry listener on their own.
    expiredEvents: true,
    descriptor: openAppSessionDescriptor,
    plantRaw: async (id, name, json) => {
      const map = await store.client.getMap<string, HazelcastJsonValue>(appSessionHazelcastMapping.map);
      const document = decodeHazelcastDocument(String(await map.get(id)));
      document.attributes[name] = JSON.parse(json);
      const ttl = document.expiresAt === null ? 0 : Math.max(1_000, document.expiresAt - Date.now());
      await map.set(id, new HazelcastJsonValue(encodeHazelcastDocument(appSessionHazelcastMapping, document)), ttl);
    },
    // A second client of its own on the same map.
    openPeer: async () => {
      const peer = await openHazelcastStoreFromEnv(openAppSessionDescriptor, appSessionHazelcastMapping, process.env);
      return { store: peer, close: () => peer.close() };
    },
    close: () => store.close(),
  };
});
