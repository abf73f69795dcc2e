import { decodeGeodeDocument, encodeGeodeDocument, openGeodeStoreFromEnv } from '@sessiongen/runtime/geode';
import { appSessionGeodeRegions } from '../../generated/geode/region.js';
import { openAppSessionDescriptor } from './open-descriptor.js';
import { describeConformance } from './suite.js';

// Against the server the global setup started from generated/geode/cache.xml (GEODE_URL).
describeConformance('geode', async () => {
  const store = await openGeodeStoreFromEnv(openAppSessionDescriptor, appSessionGeodeRegions, process.env, { sweepIntervalMs: false });
  return {
    store,
    // Expired events come from the store's sweep.
    expiredEvents: true,
    expireNow: async () => void (await store.sweepExpired()),
    descriptor: openAppSessionDescriptor,
    plantRaw: async (id, name, json) => {
      for (const region of [appSessionGeodeRegions.region, appSessionGeodeRegions.longRegion]) {
        const text = await store.rest.get(region, id);
        if (text === null) continue;
        const document = decodeGeodeDocument(text);
        if (document.state !== 'live') continue;
        document.attributes[name] = JSON.parse(json);
        await store.rest.put(region, id, encodeGeodeDocument(appSessionGeodeRegions, document));
        return;
      }
      throw new Error(`no live session ${id} to plant into`);
    },
    // A second store of its own on the same regions.
    openPeer: async () => {
      const peer = await openGeodeStoreFromEnv(openAppSessionDescriptor, appSessionGeodeRegions, process.env, { sweepIntervalMs: false });
      return { store: peer, close: () => peer.close() };
    },
    close: () => store.close(),
  };
});
