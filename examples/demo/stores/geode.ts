import type { SessionStore } from '@sessiongen/runtime';
import { openGeodeStoreFromEnv } from '@sessiongen/runtime/geode';
import { appSessionDescriptor } from '../../../generated/index.js';
import { appSessionGeodeRegions } from '../../../generated/geode/region.js';

/**
 * SESSION_STORE=geode: Apache Geode / GemFire servers' Developer REST API at GEODE_URL (default
 * http://127.0.0.1:7070/geode/v1; a comma-separated list for several servers of one cluster), in
 * the regions of the generated cache.xml (`app-sessions`, `app-sessions-long`). A server started
 * with `--cache-xml-file=generated/geode/cache.xml` and the REST API on needs nothing else.
 */
export function openGeodeStore(env: NodeJS.ProcessEnv): Promise<SessionStore> {
  return openGeodeStoreFromEnv(appSessionDescriptor, appSessionGeodeRegions, env);
}
