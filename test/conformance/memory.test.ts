import { MemorySessionStore } from '@sessiongen/runtime';
import { openAppSessionDescriptor } from './open-descriptor.js';
import { describeConformance } from './suite.js';

describeConformance('memory', async () => {
  const store = new MemorySessionStore(openAppSessionDescriptor, { sweepIntervalMs: 0 });
  return {
    store,
    expiredEvents: true,
    descriptor: openAppSessionDescriptor,
    expireNow: async () => void store.sweep(),
    close: () => store.close(),
  };
});
