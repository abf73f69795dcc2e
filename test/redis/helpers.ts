/**
 * Opening Redis stores for the tests: the machine's standalone Redis (6379, shared with other
 * suites) and the test cluster (7101-7103). Every store gets a key prefix unique to the run, and
 * cleanup deletes only keys under that prefix.
 */
import { randomBytes } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import type { SessionDescriptor } from '@sessiongen/runtime';
import { createRedisSessionClient, RedisSessionStore, type RedisClient, type RedisStoreOptions } from '@sessiongen/runtime/redis';
import { appSessionDescriptor } from '../../generated/index.js';

export const STANDALONE_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';
export const CLUSTER_NODES = process.env.REDIS_CLUSTER_NODES ?? '127.0.0.1:7101,127.0.0.1:7102,127.0.0.1:7103';

export type Topology = 'standalone' | 'cluster';

/** `app:session:t<random>`: a prefix of the schema's, unique to this test file and run. */
export function uniquePrefix(): string {
  return `${appSessionDescriptor.redis.keyPrefix}:t${randomBytes(6).toString('hex')}`;
}

export function openClient(topology: Topology): RedisClient {
  return createRedisSessionClient(topology === 'standalone' ? { url: STANDALONE_URL } : { clusterNodes: CLUSTER_NODES });
}

export interface OpenedStore {
  store: RedisSessionStore;
  client: RedisClient;
  prefix: string;
  /** Another instance on the same keys (its own client, the same options), as a second app server opens it. */
  openPeer(): Promise<{ store: RedisSessionStore; close(): Promise<void> }>;
  /** Deletes every key under the prefix, then closes the store and client. */
  close(): Promise<void>;
}

export async function openStore(topology: Topology, options: RedisStoreOptions = {}, descriptor: SessionDescriptor = appSessionDescriptor): Promise<OpenedStore> {
  const prefix = options.keyPrefix ?? uniquePrefix();
  const client = openClient(topology);
  const store = await RedisSessionStore.open(descriptor, client, { ...options, keyPrefix: prefix });
  return {
    store,
    client,
    prefix,
    openPeer: async () => {
      const peerClient = openClient(topology);
      const peer = await RedisSessionStore.open(descriptor, peerClient, { ...options, keyPrefix: prefix, keyspaceNotifications: 'off' });
      return {
        store: peer,
        close: async () => {
          await peer.close();
          await peerClient.quit();
        },
      };
    },
    close: async () => {
      await deleteKeys(client, prefix);
      await store.close();
      await client.quit();
    },
  };
}

/** Every key under the prefix (SCAN on every master); the prefix has no glob characters. */
export async function keysUnder(client: RedisClient, prefix: string): Promise<string[]> {
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

export async function deleteKeys(client: RedisClient, prefix: string): Promise<void> {
  const keys = await keysUnder(client, prefix);
  for (const key of keys) await client.del(key);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
