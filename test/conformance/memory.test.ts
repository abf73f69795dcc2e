import { MemorySessionStore, type SessionRecord } from '@sessiongen/runtime';
import { openAppSessionDescriptor } from './open-descriptor.js';
import { describeConformance } from './suite.js';

describeConformance('memory', async () => {
  const store = new MemorySessionStore(openAppSessionDescriptor, { sweepIntervalMs: 0 });
  return {
    store,
    expiredEvents: true,
    descriptor: openAppSessionDescriptor,
    expireNow: async () => void store.sweep(),
    plantRaw: async (id, name, json) => {
      (store as unknown as { sessions: Map<string, SessionRecord> }).sessions.get(id)!.attributes[name] = JSON.parse(json);
    },
    // One process's store: every instance of the app shares it.
    openPeer: async () => ({ store, close: async () => undefined }),
    close: () => store.close(),
  };
});
