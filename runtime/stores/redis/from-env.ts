import type * as IoRedis from 'ioredis';
import type { Cluster, Redis, RedisOptions } from 'ioredis';
import type * as NodeRedis from 'redis';
import { loadOptionalDependency } from '../../core/optional-dependency.js';
import type { SessionDescriptor } from '../../core/descriptor.js';
import type { NodeRedisClient, NodeRedisCluster } from './clients/node-redis.js';
import { DEFAULT_REDIS_COMMAND_TIMEOUT_MS, RedisSessionStore, type RedisStoreOptions } from './redis-store.js';

/**
 * An ioredis client set up the way the store needs (no resending of unfulfilled commands after a
 * reconnect, so a command cut off by a lost connection fails instead of running twice), with a
 * command timeout (`commandTimeout`, default {@link DEFAULT_REDIS_COMMAND_TIMEOUT_MS} ms) so that
 * no command waits on a stalled server for ever.
 * `url`: `redis://[user:pass@]host:port/db` (`rediss://` for TLS); `clusterNodes`:
 * `host:port,host:port` (any of the cluster's nodes) for a Cluster. `options` are passed to ioredis.
 */
export function createRedisSessionClient(
  target: { url: string } | { clusterNodes: string | string[] },
  options: RedisOptions = {},
): Redis | Cluster {
  const { Redis, Cluster } = loadOptionalDependency<typeof IoRedis>('ioredis', 'the Redis session store');
  const common: RedisOptions = {
    maxRetriesPerRequest: 1,
    commandTimeout: DEFAULT_REDIS_COMMAND_TIMEOUT_MS,
    ...options,
    autoResendUnfulfilledCommands: false,
  };
  // Connection errors reach callers as SessionStoreErrors on the calls they affect; ioredis
  // reconnects by itself. Without a listener it would print every one of them.
  const quiet = <C extends Redis | Cluster>(client: C): C => client.on('error', () => undefined) as C;
  if ('url' in target) return quiet(new Redis(target.url, common));
  return quiet(new Cluster(clusterNodes(target.clusterNodes), { redisOptions: common }));
}

/**
 * A node-redis 5 client for the store: node-redis needs no setting of the store's (it never resends
 * a command it wrote, and the store bounds every call by its `commandTimeoutMs`), so this is
 * `createClient({ url })` or `createCluster({ rootNodes })` with an `error` listener (node-redis
 * ends the process on an `error` event nobody listens to; the store's calls report the failures
 * that affect them). It is not connected yet: `RedisSessionStore.open` connects it, or the app
 * does. A client of the app's own works the same once it has an `error` listener.
 * `options` go to `createClient` (for a Cluster: its `defaults`, applied to every node's client).
 */
export function createNodeRedisSessionClient(
  target: { url: string } | { clusterNodes: string | string[] },
  options: NodeRedis.RedisClientOptions = {},
): NodeRedisClient | NodeRedisCluster {
  const { createClient, createCluster } = loadOptionalDependency<typeof NodeRedis>('redis', 'the Redis session store on node-redis');
  if ('url' in target) {
    const client = createClient({ ...options, url: target.url });
    client.on('error', () => undefined);
    return client as unknown as NodeRedisClient;
  }
  const rootNodes = clusterNodes(target.clusterNodes).map(({ host, port }) => ({ socket: { host, port } }));
  const cluster = createCluster({ rootNodes, defaults: options });
  cluster.on('error', () => undefined);
  return cluster as unknown as NodeRedisCluster;
}

function clusterNodes(list: string | string[]): Array<{ host: string; port: number }> {
  const nodes = (Array.isArray(list) ? list : list.split(','))
    .map((node) => node.trim())
    .filter(Boolean)
    .map((node) => {
      const at = node.lastIndexOf(':');
      return { host: node.slice(0, at), port: Number(node.slice(at + 1)) };
    });
  if (nodes.length === 0) throw new RangeError('clusterNodes names no node (expected host:port,host:port)');
  return nodes;
}

/** Closes a client of either library, whatever state it is in. */
async function closeClient(client: Redis | Cluster | NodeRedisClient | NodeRedisCluster): Promise<void> {
  if ('status' in client) {
    await client.quit().catch(() => client.disconnect());
    return;
  }
  const nodeRedis = client as unknown as { isOpen: boolean; close(): Promise<void>; destroy(): void };
  if (!nodeRedis.isOpen) return;
  await nodeRedis.close().catch(() => nodeRedis.destroy());
}

/**
 * The store from environment variables, as the demo and apps wire it: `REDIS_CLUSTER_NODES`
 * (`host:port,…`) opens a Cluster, otherwise `REDIS_URL` (default `redis://127.0.0.1:6379`);
 * `REDIS_COMMAND_TIMEOUT_MS` overrides the command timeout (client and store); `REDIS_CLIENT`
 * picks the client library: `ioredis` (default) or `node-redis`.
 * Closing the store also closes the client it opened.
 */
export async function openRedisStoreFromEnv(
  descriptor: SessionDescriptor,
  env: NodeJS.ProcessEnv = process.env,
  options: RedisStoreOptions & { cluster?: boolean } = {},
): Promise<RedisSessionStore> {
  const { cluster, ...storeOptions } = options;
  const nodes = env.REDIS_CLUSTER_NODES;
  if (cluster && !nodes) throw new Error('REDIS_CLUSTER_NODES (host:port,host:port,...) is needed for a Redis Cluster');
  const timeout = env.REDIS_COMMAND_TIMEOUT_MS;
  if (timeout !== undefined) {
    const ms = Number(timeout);
    if (!Number.isInteger(ms) || ms <= 0) throw new Error(`REDIS_COMMAND_TIMEOUT_MS must be a positive whole number of milliseconds, got '${timeout}'`);
    storeOptions.commandTimeoutMs ??= ms;
  }
  const library = env.REDIS_CLIENT ?? 'ioredis';
  if (library !== 'ioredis' && library !== 'node-redis') throw new Error(`REDIS_CLIENT must be ioredis or node-redis, got '${library}'`);
  const target = (cluster ?? Boolean(nodes)) && nodes ? { clusterNodes: nodes } : { url: env.REDIS_URL ?? 'redis://127.0.0.1:6379' };
  const client =
    library === 'node-redis'
      ? createNodeRedisSessionClient(target)
      : createRedisSessionClient(target, storeOptions.commandTimeoutMs ? { commandTimeout: storeOptions.commandTimeoutMs } : {});
  let store: RedisSessionStore;
  try {
    store = await RedisSessionStore.open(descriptor, client, storeOptions);
  } catch (err) {
    await closeClient(client).catch(() => undefined);
    throw err;
  }
  const close = store.close.bind(store);
  store.close = async () => {
    await close();
    await closeClient(client);
  };
  return store;
}
