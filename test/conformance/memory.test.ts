import { MemorySessionStore } from '@sessiongen/runtime';
import { appSessionDescriptor } from '../../generated/index.js';
import { describeConformance } from './suite.js';

describeConformance('memory', async () => {
  const store = new MemorySessionStore(appSessionDescriptor, { sweepIntervalMs: 0 });
  return {
    store,
    expiredEvents: true,
    expireNow: async () => void store.sweep(),
    close: () => store.close(),
  };
});
