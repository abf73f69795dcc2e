import { startGeodeForTests } from './geode.js';
import { startHazelcastForTests } from './hazelcast.js';
import { startRedisCluster } from './redis-cluster.js';
import { ensureSystemServices } from './system-services.js';

/**
 * Every service starter, in start order. A starter makes its service available (setting any
 * environment variables the tests read) and returns how to stop what it started, if anything.
 */
export type ServiceStarter = () => Promise<(() => Promise<void>) | void>;

export const SERVICE_STARTERS: ServiceStarter[] = [
  () => ensureSystemServices(['Redis', 'PostgreSQL', 'MariaDB']),
  startRedisCluster,
  startHazelcastForTests,
  startGeodeForTests,
];
