import type * as IoRedis from 'ioredis';
import type { RedisOptions } from 'ioredis';
import { loadOptionalDependency } from '../../core/optional-dependency.js';
import type { SessionDescriptor } from '../../core/descriptor.js';
import { DEFAULT_REDIS_COMMAND_TIMEOUT_MS, RedisSessionStore, type RedisClient, type RedisStoreOptions } from './redis-store.js';

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
): RedisClient {
  const { Redis, Cluster } = loadOptionalDependency<typeof IoRedis>('ioredis', 'the Redis session store');
  const common: RedisOptions = {
    maxRetriesPerRequest: 1,
    commandTimeout: DEFAULT_REDIS_COMMAND_TIMEOUT_MS,
    ...options,
    autoResendUnfulfilledCommands: false,
  };
  // Connection errors reach callers as SessionStoreErrors on the calls they affect; ioredis
  // reconnects by itself. Without a listener it would print every one of them.
  const quiet = <C extends RedisClient>(client: C): C => client.on('error', () => undefined) as C;
  if ('url' in target) return quiet(new Redis(target.url, common));
  const nodes = (Array.isArray(target.clusterNodes) ? target.clusterNodes : target.clusterNodes.split(','))
    .map((node) => node.trim())
    .filter(Boolean)
    .map((node) => {
      const at = node.lastIndexOf(':');
      return { host: node.slice(0, at), port: Number(node.slice(at + 1)) };
    });
  if (nodes.length === 0) throw new RangeError('clusterNodes names no node (expected host:port,host:port)');
  return quiet(new Cluster(nodes, { redisOptions: common }));
}

/**
 * The store from environment variables, as the demo and apps wire it: `REDIS_CLUSTER_NODES`
 * (`host:port,…`) opens a Cluster, otherwise `REDIS_URL` (default `redis://127.0.0.1:6379`);
 * `REDIS_COMMAND_TIMEOUT_MS` overrides the command timeout (client and store).
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
  const clientOptions: RedisOptions = storeOptions.commandTimeoutMs ? { commandTimeout: storeOptions.commandTimeoutMs } : {};
  const client =
    (cluster ?? Boolean(nodes)) && nodes
      ? createRedisSessionClient({ clusterNodes: nodes }, clientOptions)
      : createRedisSessionClient({ url: env.REDIS_URL ?? 'redis://127.0.0.1:6379' }, clientOptions);
  let store: RedisSessionStore;
  try {
    store = await RedisSessionStore.open(descriptor, client, storeOptions);
  } catch (err) {
    client.disconnect();
    throw err;
  }
  const close = store.close.bind(store);
  store.close = async () => {
    await close();
    await client.quit().catch(() => client.disconnect());
  };
  return store;
}
