/**
 * Opening Redis stores for the tests: the machine's standalone Redis (6379, shared with other
 * suites) and the test cluster (7101-7103), through either client library the store takes. Every
 * store gets a key prefix unique to the run, and cleanup deletes only keys under that prefix.
 * What the tests read back from Redis to check the store goes through an ioredis client of their
 * own (`admin`), whichever library the store uses.
 */
import { randomBytes } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import type { SessionDescriptor } from '@sessiongen/runtime';
import { createNodeRedisSessionClient, createRedisSessionClient, RedisSessionStore, type RedisClient, type RedisStoreOptions } from '@sessiongen/runtime/redis';
import { appSessionDescriptor } from '../../generated/index.js';

export const STANDALONE_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';
export const CLUSTER_NODES = process.env.REDIS_CLUSTER_NODES ?? '127.0.0.1:7101,127.0.0.1:7102,127.0.0.1:7103';

export type Topology = 'standalone' | 'cluster';
/** The client libraries the store takes. */
export type Library = 'ioredis' | 'node-redis';
export const LIBRARIES: readonly Library[] = ['ioredis', 'node-redis'];
export const TOPOLOGIES: readonly Topology[] = ['standalone', 'cluster'];
/** Every topology on every library: what each Redis suite runs on. */
export const SUBJECTS: ReadonlyArray<{ topology: Topology; library: Library }> = TOPOLOGIES.flatMap((topology) => LIBRARIES.map((library) => ({ topology, library })));

/** `app:session:t<random>`: a prefix of the schema's, unique to this test file and run. */
export function uniquePrefix(): string {
  return `${appSessionDescriptor.redis.keyPrefix}:t${randomBytes(6).toString('hex')}`;
}

/** A client of `library` for the store, as an app would create it (`options`: a connection name, for the fault tests). */
export function openClient(topology: Topology, library: Library = 'ioredis', options: { connectionName?: string } = {}): RedisClient {
  const target = topology === 'standalone' ? { url: STANDALONE_URL } : { clusterNodes: CLUSTER_NODES };
  if (library === 'ioredis') return createRedisSessionClient(target, options);
  return createNodeRedisSessionClient(target, options.connectionName ? { name: options.connectionName } : {});
}

/** Closes a store's client of either library. */
export async function closeClient(client: RedisClient): Promise<void> {
  if ('status' in client) {
    await client.quit().catch(() => client.disconnect());
    return;
  }
  if (client.isOpen) await client.close().catch(() => client.destroy());
}

/** An ioredis client for reading back what the store wrote (never the store's own client). */
export function openAdmin(topology: Topology): Redis | Cluster {
  return createRedisSessionClient(topology === 'standalone' ? { url: STANDALONE_URL } : { clusterNodes: CLUSTER_NODES });
}

export interface OpenedStore {
  store: RedisSessionStore;
  /** The store's client. */
  client: RedisClient;
  /** The tests' own ioredis client on the same server or cluster. */
  admin: Redis | Cluster;
  prefix: string;
  /** Another instance on the same keys (its own client of the same library, the same options), as a second app server opens it. */
  openPeer(): Promise<{ store: RedisSessionStore; close(): Promise<void> }>;
  /** Deletes every key under the prefix, then closes the store and both clients. */
  close(): Promise<void>;
}

export async function openStore(
  topology: Topology,
  options: RedisStoreOptions = {},
  descriptor: SessionDescriptor = appSessionDescriptor,
  library: Library = 'ioredis',
): Promise<OpenedStore> {
  const prefix = options.keyPrefix ?? uniquePrefix();
  const client = openClient(topology, library);
  const store = await RedisSessionStore.open(descriptor, client, { ...options, keyPrefix: prefix });
  const admin = openAdmin(topology);
  return {
    store,
    client,
    admin,
    prefix,
    openPeer: async () => {
      const peerClient = openClient(topology, library);
      const peer = await RedisSessionStore.open(descriptor, peerClient, { ...options, keyPrefix: prefix, keyspaceNotifications: 'off' });
      return {
        store: peer,
        close: async () => {
          await peer.close();
          await closeClient(peerClient);
        },
      };
    },
    close: async () => {
      await deleteKeys(admin, prefix);
      await store.close();
      await closeClient(client);
      await admin.quit();
    },
  };
}

/** Every key under the prefix (SCAN on every master); the prefix has no glob characters. */
export async function keysUnder(client: Redis | Cluster, prefix: string): Promise<string[]> {
  if (/[*?[\]\\]/.test(prefix)) throw new Error(`refusing to scan with a glob prefix: ${prefix}`);
  const nodes = client instanceof Cluster ? client.nodes('master') : [client as Redis];
  const keys: string[] = [];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, batch] = await node.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
  }
  return keys;
}

export async function deleteKeys(client: Redis | Cluster, prefix: string): Promise<void> {
  const keys = await keysUnder(client, prefix);
  for (const key of keys) await client.del(key);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
