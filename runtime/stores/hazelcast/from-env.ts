import type { SessionDescriptor } from '../../core/descriptor.js';
import { createHazelcastSessionClient, HazelcastSessionStore, type HazelcastStoreOptions } from './hazelcast-store.js';
import type { HazelcastSessionMapping } from './mapping.js';

/**
 * Opens a Hazelcast store from environment variables:
 * - `HAZELCAST_MEMBERS`: comma-separated `host:port` list (default `127.0.0.1:5701`);
 * - `HAZELCAST_CLUSTER_NAME`: the cluster name (default `dev`, Hazelcast's own default).
 * The store owns the client it makes: `close()` shuts it down.
 */
export async function openHazelcastStoreFromEnv(
  descriptor: SessionDescriptor,
  mapping: HazelcastSessionMapping,
  env: NodeJS.ProcessEnv = process.env,
  options: HazelcastStoreOptions = {},
): Promise<HazelcastSessionStore> {
  const members = (env.HAZELCAST_MEMBERS ?? '127.0.0.1:5701')
    .split(',')
    .map((member) => member.trim())
    .filter(Boolean);
  const client = await createHazelcastSessionClient({
    clusterName: env.HAZELCAST_CLUSTER_NAME ?? 'dev',
    network: { clusterMembers: members },
    connectionStrategy: { connectionRetry: { clusterConnectTimeoutMillis: 30_000 } },
  });
  try {
    return await HazelcastSessionStore.open(descriptor, mapping, client, { ownsClient: true, ...options });
  } catch (err) {
    await client.shutdown();
    throw err;
  }
}
