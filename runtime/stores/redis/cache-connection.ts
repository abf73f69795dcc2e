import type * as NodeRedis from 'redis';
import { loadOptionalDependency } from '../../core/optional-dependency.js';
import type { TrackingConnection } from './client-cache.js';

/** The cache connection's CLIENT SETNAME, so operators (and tests) can tell it in CLIENT LIST. */
export const CACHE_CONNECTION_NAME = 'sessiongen-cache';
/** Options every cache connection gets: RESP3 with tracking, and commands that fail at once while it is down. */
const TRACKING = { RESP: 3, emitInvalidate: true, disableOfflineQueue: true, name: CACHE_CONNECTION_NAME } as const;
/** The cache connection reconnects quickly: while it is down, loads cost a round trip again. */
const RECONNECT = (attempt: number): number => Math.min(attempt * 100, 1_000);

/** What the cache connection is made from: the store's ioredis client (its options) or a node-redis 5 client (duplicated). */
interface IoRedisLike {
  options: {
    host?: string;
    port?: number;
    path?: string | null;
    username?: string | null;
    password?: string | null;
    db?: number;
    tls?: object;
    connectTimeout?: number;
    family?: number;
    sentinels?: unknown[] | null;
  };
}

interface NodeRedisLike {
  readonly options?: object;
  duplicate(options: object): unknown;
}

/**
 * A node-redis 5 connection to the server the store's client talks to, with RESP3 and `CLIENT
 * TRACKING ON` on every (re)connect, for {@link TrackedCache}. From a node-redis client: a new
 * client with its options. From an ioredis client: a node-redis client built from its host, port
 * (or unix socket), credentials, database and TLS options; node-redis is then an optional peer
 * dependency of the cache. Redis Sentinel is refused: the cache connection would not follow a failover.
 */
export function openCacheConnection(client: unknown): TrackingConnection {
  const connection = isNodeRedis(client) ? fromNodeRedis(client) : fromIoRedis(client as IoRedisLike);
  // Connection errors reach loads as fallbacks to the store's client; node-redis reconnects.
  connection.on('error', () => undefined);
  return connection;
}

function isNodeRedis(client: unknown): client is NodeRedisLike {
  return typeof (client as { duplicate?: unknown }).duplicate === 'function' && typeof (client as { sendCommand?: unknown }).sendCommand === 'function' && typeof (client as { hGetAll?: unknown }).hGetAll === 'function';
}

/**
 * Not `duplicate({ RESP: 3 })`: a duplicate keeps its original's command classes, which transform
 * replies for the original's protocol (an RESP2 client's HGETALL of an RESP3 map gives `{}`).
 * node-redis's own client-side cache and `emitInvalidate` exclude each other: the new client has only the latter.
 */
function fromNodeRedis(client: NodeRedisLike): TrackingConnection {
  const { createClient } = loadNodeRedis();
  const options = (client.options ?? {}) as { socket?: object };
  // It reconnects whatever the app chose for its own client: while it is down, loads cost a round trip.
  const socket = { ...options.socket, reconnectStrategy: RECONNECT };
  return createClient({ ...options, socket, clientSideCache: undefined, ...TRACKING } as NodeRedis.RedisClientOptions) as unknown as TrackingConnection;
}

function loadNodeRedis(): typeof NodeRedis {
  return loadOptionalDependency<typeof NodeRedis>('redis', "the Redis store's clientCache (node-redis 5 speaks RESP3 with CLIENT TRACKING)");
}

function fromIoRedis(client: IoRedisLike): TrackingConnection {
  const options = client.options;
  if (options.sentinels && options.sentinels.length > 0) {
    throw new TypeError('clientCache does not support Redis Sentinel: its connection would not follow a failover; open the store without clientCache');
  }
  const { createClient } = loadNodeRedis();
  const common = { connectTimeout: options.connectTimeout ?? 10_000, reconnectStrategy: RECONNECT };
  const socket = options.path
    ? { path: options.path, ...common }
    : options.tls
      ? { host: options.host ?? '127.0.0.1', port: options.port ?? 6379, family: options.family, tls: true as const, ...options.tls, ...common }
      : { host: options.host ?? '127.0.0.1', port: options.port ?? 6379, family: options.family, ...common };
  return createClient({
    socket,
    username: options.username ?? undefined,
    password: options.password ?? undefined,
    database: options.db ?? 0,
    ...TRACKING,
  } as NodeRedis.RedisClientOptions) as unknown as TrackingConnection;
}
