import { HazelcastJsonValue } from 'hazelcast-client';
import { openHazelcastStoreFromEnv } from '@sessiongen/runtime/hazelcast';
import { appSessionDescriptor } from '../../generated/index.js';
import { appSessionHazelcastMapping } from '../../generated/hazelcast/mapping.js';
import { describeConformance } from './suite.js';

// Against the member the global setup started from generated/hazelcast/member.xml.
describeConformance('hazelcast', async () => {
  const store = await openHazelcastStoreFromEnv(appSessionDescriptor, appSessionHazelcastMapping, process.env);
  return {
    store,
    // Expired events come from the member's entry listener on their own.
    expiredEvents: true,
    plantRaw: async (id, name, json) => {
      const map = await store.client.getMap<string, HazelcastJsonValue>(appSessionHazelcastMapping.map);
      const document = appSessionHazelcastMapping.decode(String(await map.get(id)));
      document.attributes[name] = JSON.parse(json);
      const ttl = document.expiresAt === null ? 0 : Math.max(1_000, document.expiresAt - Date.now());
      await map.set(id, new HazelcastJsonValue(appSessionHazelcastMapping.encode(document)), ttl);
    },
    close: () => store.close(),
  };
});
