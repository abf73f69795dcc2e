import type { Cluster, Redis } from 'ioredis';
import type { RedisCommands, RedisNode, RedisScript, RedisSubscription } from '../commands.js';
import { withDeadline } from '../deadline.js';

/** Subscriber connections reconnect quickly and for as long as the store is open: a lost second is lost events. */
const SUBSCRIBER_RETRY = (attempt: number): number => Math.min(attempt * 100, 1_000);

/** Whether `client` is an ioredis `Redis` or `Cluster` (by shape: ioredis itself is not loaded). */
export function isIoRedisClient(client: unknown): client is Redis | Cluster {
  const c = client as { status?: unknown; evalsha?: unknown; options?: unknown } | null;
  return typeof c === 'object' && c !== null && typeof c.status === 'string' && typeof c.evalsha === 'function' && typeof c.options === 'object';
}

/**
 * {@link RedisCommands} over an ioredis `Redis` or `Cluster`. ioredis must not resend unfulfilled
 * commands after a reconnect (`autoResendUnfulfilledCommands: false`; on a Cluster in
 * `redisOptions`): a resent save could apply twice and report the wrong outcome. Told so, ioredis
 * drops the commands that were in flight when a connection closed without settling their
 * promises; `onConnectionLost` tells the store, which fails those calls itself.
 */
export class IoRedisCommands implements RedisCommands {
  readonly isCluster: boolean;
  readonly keyPrefix: string;
  private readonly nodeOf = new WeakMap<Redis, IoRedisNode>();
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly client: Redis | Cluster,
    private readonly commandTimeoutMs: number | false,
  ) {
    this.isCluster = (client as { isCluster?: boolean }).isCluster === true;
    const options = client.options as { keyPrefix?: string; autoResendUnfulfilledCommands?: boolean; redisOptions?: { autoResendUnfulfilledCommands?: boolean } };
    this.keyPrefix = options.keyPrefix ?? '';
    const resend = this.isCluster ? options.redisOptions?.autoResendUnfulfilledCommands : options.autoResendUnfulfilledCommands;
    if (resend !== false) {
      throw new TypeError(
        'RedisSessionStore needs an ioredis client created with autoResendUnfulfilledCommands: false ' +
          '(for a Cluster: redisOptions.autoResendUnfulfilledCommands: false); use createRedisSessionClient()',
      );
    }
  }

  async ready(): Promise<void> {
    if (!this.isCluster) return;
    const cluster = this.client as Cluster;
    if (cluster.status === 'ready') return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        cluster.off('ready', onReady);
        reject(new Error('cluster not ready within 30 s'));
      }, 30_000);
      const onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      cluster.once('ready', onReady);
    });
  }

  async evalScript(script: RedisScript, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    try {
      return await this.client.evalsha(script.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return await this.client.eval(script.lua, keys.length, ...keys, ...args);
    }
  }

  hgetall(key: string): Promise<Record<string, string>> {
    return this.client.hgetall(key);
  }

  hmget(key: string, fields: readonly string[]): Promise<Array<string | null>> {
    return this.client.hmget(key, ...fields);
  }

  get(key: string): Promise<string | null> {
    return this.client.get(key);
  }

  exists(key: string): Promise<number> {
    return this.client.exists(key);
  }

  del(key: string): Promise<number> {
    return this.client.del(key);
  }

  async masters(): Promise<RedisNode[]> {
    if (!this.isCluster) return [this.node(this.client as Redis)];
    await this.ready();
    return (this.client as Cluster).nodes('master').map((node) => this.node(node));
  }

  async refreshTopology(): Promise<void> {
    if (!this.isCluster) return;
    const cluster = this.client as Cluster;
    await new Promise<void>((resolve) => cluster.refreshSlotsCache(() => resolve()));
  }

  watchNodes(listener: { ready(node: RedisNode): void; gone(address: string): void }): () => void {
    const readyListeners = new Map<Redis, () => void>();
    const watch = (redis: Redis) => {
      if (readyListeners.has(redis)) return;
      const onReady = () => listener.ready(this.node(redis));
      readyListeners.set(redis, onReady);
      redis.on('ready', onReady);
    };
    const unwatch = (redis: Redis) => {
      const onReady = readyListeners.get(redis);
      if (!onReady) return;
      redis.off('ready', onReady);
      readyListeners.delete(redis);
    };
    if (!this.isCluster) {
      watch(this.client as Redis);
      return () => unwatch(this.client as Redis);
    }
    const cluster = this.client as Cluster;
    // A node joined the topology (or was reconnected as a new connection): watch it, and tell now.
    const onAdd = (redis: Redis) => {
      watch(redis);
      listener.ready(this.node(redis));
    };
    const onRemove = (redis: Redis) => {
      unwatch(redis);
      listener.gone(this.node(redis).address);
      // ioredis connects to a lost node again only when traffic or a refresh finds it: look for it
      // in a second, so a restarted node's expired events come back even on an idle cluster.
      if (this.refreshTimer === undefined) {
        this.refreshTimer = setTimeout(() => {
          this.refreshTimer = undefined;
          if (readyListeners.size > 0 || cluster.status === 'ready') cluster.refreshSlotsCache();
        }, 1_000);
        this.refreshTimer.unref();
      }
    };
    for (const redis of cluster.nodes('all')) watch(redis);
    cluster.on('+node', onAdd);
    cluster.on('-node', onRemove);
    return () => {
      cluster.off('+node', onAdd);
      cluster.off('-node', onRemove);
      clearTimeout(this.refreshTimer);
      this.refreshTimer = undefined;
      for (const redis of [...readyListeners.keys()]) unwatch(redis);
    };
  }

  onConnectionLost(listener: () => void): () => void {
    if (!this.isCluster) {
      this.client.on('close', listener);
      return () => void this.client.off('close', listener);
    }
    const cluster = this.client as Cluster;
    const watched = new Set<Redis>();
    const watch = (redis: Redis) => {
      if (watched.has(redis)) return;
      watched.add(redis);
      redis.on('close', listener);
    };
    cluster.on('+node', watch);
    for (const redis of cluster.nodes('all')) watch(redis);
    return () => {
      cluster.off('+node', watch);
      for (const redis of watched) redis.off('close', listener);
    };
  }

  isReplyError(err: unknown): boolean {
    return err instanceof Error && err.name === 'ReplyError';
  }

  private node(redis: Redis): IoRedisNode {
    let node = this.nodeOf.get(redis);
    if (!node) {
      node = new IoRedisNode(redis, this.commandTimeoutMs);
      this.nodeOf.set(redis, node);
    }
    return node;
  }
}

class IoRedisNode implements RedisNode {
  readonly address: string;

  constructor(
    private readonly redis: Redis,
    private readonly commandTimeoutMs: number | false,
  ) {
    this.address = `${redis.options.host}:${redis.options.port}`;
  }

  scan(cursor: string, pattern: string, count: number): Promise<[string, string[]]> {
    return this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', count);
  }

  async configGet(parameter: string): Promise<string> {
    const reply = (await this.redis.config('GET', parameter)) as string[];
    return reply[1] ?? '';
  }

  async configSet(parameter: string, value: string): Promise<void> {
    await this.redis.config('SET', parameter, value);
  }

  async subscribeExpired(onKey: (key: string) => void): Promise<RedisSubscription> {
    const subscriber = this.redis.duplicate({
      lazyConnect: false,
      keyPrefix: undefined,
      enableOfflineQueue: true,
      autoResubscribe: true,
      retryStrategy: SUBSCRIBER_RETRY,
      // The resubscribe after a reconnect must not time out and leave a connection that hears nothing.
      commandTimeout: undefined,
    });
    subscriber.on('error', () => undefined);
    subscriber.on('message', (_channel: string, key: string) => onKey(key));
    try {
      await withDeadline(subscriber.subscribe(`__keyevent@${this.redis.options.db ?? 0}__:expired`), this.commandTimeoutMs);
    } catch (err) {
      subscriber.disconnect();
      throw err;
    }
    return {
      get alive() {
        return subscriber.status !== 'end';
      },
      close: async () => {
        await subscriber.quit().catch(() => subscriber.disconnect());
      },
    };
  }
}
