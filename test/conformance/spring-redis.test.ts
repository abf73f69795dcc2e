import { springAttributeField, springSessionKey, SPRING_PRINCIPAL_NAME_INDEX_NAME } from '@sessiongen/runtime/spring';
import { keysUnder } from '../redis/helpers.js';
import { openSpringRedis } from '../spring/subjects.js';
import { openAppSessionDescriptor } from './open-descriptor.js';
import { describeConformance } from './suite.js';

/**
 * Spring Session's Redis layout, in each form a Java app may run it: the indexed repository with
 * minute buckets (Spring's default) or a sorted set, and the plain repository (no index, no events).
 */
for (const [flavour, options] of [
  ['indexed, minute buckets', { repository: 'indexed', expirations: 'minute' }],
  ['indexed, sorted set', { repository: 'indexed', expirations: 'sorted-set' }],
  ['plain', { repository: 'plain' }],
] as const) {
  describeConformance(`spring redis (${flavour})`, async () => {
    const opened = await openSpringRedis(options, openAppSessionDescriptor);
    return {
      store: opened.store,
      capabilities: { ...opened.store.capabilities, refusesJavaTypeIds: true },
      expiredEvents: true,
      // A keyspace notification names only the key: no times, no reason (with an absolute timeout).
      expiredReasons: false,
      descriptor: openAppSessionDescriptor,
      // Redis expires a key when it samples or touches it; the test touches its keys (SCAN) and runs Spring's cleanup.
      expireNow: async () => {
        await opened.store.cleanupExpired();
        await keysUnder(opened.client, opened.namespace);
      },
      plantRaw: async (id, name, json) => {
        const stored = name === 'principalName' ? SPRING_PRINCIPAL_NAME_INDEX_NAME : name;
        await opened.client.hset(springSessionKey(opened.namespace, id), springAttributeField(stored), json);
      },
      close: opened.close,
    };
  });
}
