import type { SessionStore } from '@sessiongen/runtime';
import { openHazelcastStoreFromEnv } from '@sessiongen/runtime/hazelcast';
import { appSessionDescriptor } from '../../../generated/index.js';
import { appSessionHazelcastMapping } from '../../../generated/hazelcast/mapping.js';

/**
 * SESSION_STORE=hazelcast: a Hazelcast cluster from HAZELCAST_MEMBERS (comma-separated host:port,
 * default 127.0.0.1:5701) and HAZELCAST_CLUSTER_NAME (default `dev`). The members need only the
 * generated config: `java -Dhazelcast.config=generated/hazelcast/member.xml -cp hazelcast-5.5.0.jar
 * com.hazelcast.core.server.HazelcastMemberStarter`.
 */
export function openHazelcastStore(env: NodeJS.ProcessEnv): Promise<SessionStore> {
  return openHazelcastStoreFromEnv(appSessionDescriptor, appSessionHazelcastMapping, env);
}
