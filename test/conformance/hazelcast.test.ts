import { openHazelcastStoreFromEnv } from '@sessiongen/runtime/hazelcast';
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
    close: () => store.close(),
  };
});
