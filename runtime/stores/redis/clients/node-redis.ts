import { setMaxListeners } from 'node:events';
import type { RedisClientType, RedisClusterType } from 'redis';
import type { RedisCommands, RedisNode, RedisScript, RedisSubscription } from '../commands.js';
import { withDeadline } from '../deadline.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
/** A node-redis 5 client (`createClient`), whatever its modules, scripts, RESP version and type mapping. */
export type NodeRedisClient = RedisClientType<any, any, any, any, any>;
/** A node-redis 5 cluster client (`createCluster`). */
export type NodeRedisCluster = RedisClusterType<any, any, any, any, any>;

/** Subscriber connections reconnect quickly and for as long as the store is open: a lost second is lost events. */
const SUBSCRIBER_RETRY = (retries: number): number => Math.min((retries + 1) * 100, 1_000);
/** Commands started within this many ms share one abort signal (see {@link NodeRedisCommands}). */
const ABORT_BUCKET_MS = 50;

/** What the adapter uses of a node-redis client (the generic types are too wide to call through). */
interface Client {
  readonly isOpen: boolean;
  readonly isReady: boolean;
  readonly options: { socket?: { host?: string; port?: number; path?: string }; database?: number } | undefined;
  connect(): Promise<unknown>;
  sendCommand(args: readonly string[], options?: CommandOptions): Promise<unknown>;
  duplicate(overrides?: object): Client;
  SUBSCRIBE(channel: string, listener: (message: string) => void): Promise<void>;
  close(): Promise<void>;
  destroy(): void;
  on(event: string, listener: (...args: any[]) => void): unknown;
  off(event: string, listener: (...args: any[]) => void): unknown;
}

interface ShardNode {
  readonly address: string;
  readonly client?: Client;
}

interface Cluster {
  readonly isOpen: boolean;
  readonly masters: ShardNode[];
  readonly nodeByAddress: Map<string, ShardNode>;
  connect(): Promise<unknown>;
  sendCommand(firstKey: string | undefined, isReadonly: boolean | undefined, args: readonly string[], options?: CommandOptions): Promise<unknown>;
  nodeClient(node: ShardNode): Promise<Client>;
  on(event: string, listener: (...args: any[]) => void): unknown;
  off(event: string, listener: (...args: any[]) => void): unknown;
  once(event: string, listener: (...args: any[]) => void): unknown;
  /** Internal to node-redis (reads the topology again); used only where it exists. */
  readonly _slots?: { rediscover?(startWith: Client): Promise<void> };
}

interface CommandOptions {
  abortSignal?: AbortSignal;
}

/** Whether `client` is a node-redis 5 client or cluster client (by shape: node-redis itself is not loaded). */
export function isNodeRedisClient(client: unknown): client is NodeRedisClient | NodeRedisCluster {
  const c = client as { sendCommand?: unknown; isOpen?: unknown; status?: unknown } | null;
  return typeof c === 'object' && c !== null && typeof c.sendCommand === 'function' && typeof c.isOpen === 'boolean' && c.status === undefined;
}

function isCluster(client: unknown): boolean {
  const c = client as { nodeClient?: unknown; masters?: unknown };
  return typeof c.nodeClient === 'function' && Array.isArray(c.masters);
}

/**
 * {@link RedisCommands} over a node-redis 5 client or cluster client; `ready()` connects it when
 * the app has not. node-redis keeps the store's guarantees without being told anything:
 *
 * - It never resends a command it has written: when a connection drops, it rejects every command
 *   waiting for a reply (`RedisCommandsQueue.flushWaitingForReply` in `@redis/client`), and only
 *   commands it has not written yet wait for the reconnect (its offline queue). So this adapter
 *   never needs to signal a lost connection.
 * - Commands sent while a connection is down wait in its queue only until the store's command
 *   deadline has passed (an abort signal shared by the commands of each {@link ABORT_BUCKET_MS} ms,
 *   firing just after the deadline): a call the store reported as timed out is not written later,
 *   after a reconnect.
 * - A Cluster routes each command to the slot of its first key (`cluster.sendCommand(firstKey, …)`)
 *   and follows MOVED and ASK itself.
 *
 * node-redis emits `error` events that end the process when nothing listens: the app's client needs
 * an `error` listener (`createNodeRedisSessionClient` adds one).
 */
export class NodeRedisCommands implements RedisCommands {
  readonly isCluster: boolean;
  /** node-redis has no client-side key prefix. */
  readonly keyPrefix = '';
  private readonly standalone: Client | undefined;
  private readonly cluster: Cluster | undefined;
  private readonly nodes = new Map<string, NodeRedisNode>();
  private bucketEnds = 0;
  private bucketOptions: CommandOptions | undefined;

  constructor(
    readonly client: NodeRedisClient | NodeRedisCluster,
    private readonly commandTimeoutMs: number | false,
  ) {
    this.isCluster = isCluster(client);
    if (this.isCluster) this.cluster = client as unknown as Cluster;
    else this.standalone = client as unknown as Client;
  }

  async ready(): Promise<void> {
    const target = this.cluster ?? this.standalone!;
    if (!target.isOpen) await target.connect();
    if (this.cluster && this.cluster.masters.length === 0) {
      // Opened by the app, but the topology is not read yet.
      await withDeadline(new Promise<void>((resolve) => this.cluster!.once('connect', () => resolve())), 30_000);
    }
  }

  /**
   * The options of a command sent now: while a connection is down, the abort signal of the current
   * bucket. A connected client writes what it queued at the next turn of the event loop, so there a
   * signal (an abort listener added and removed per command) would buy nothing.
   */
  private options(): CommandOptions | undefined {
    const limit = this.commandTimeoutMs;
    if (limit === false || this.connected()) return undefined;
    const now = Date.now();
    if (now >= this.bucketEnds) {
      this.bucketEnds = now + ABORT_BUCKET_MS;
      const abortSignal = AbortSignal.timeout(limit + ABORT_BUCKET_MS);
      // Every command of the bucket listens to it until written: many listeners is the point.
      setMaxListeners(0, abortSignal);
      this.bucketOptions = { abortSignal };
    }
    return this.bucketOptions;
  }

  private connected(): boolean {
    if (this.standalone) return this.standalone.isReady;
    for (const shard of this.cluster!.masters) if (!shard.client?.isReady) return false;
    return true;
  }

  private send(key: string, args: readonly string[]): Promise<unknown> {
    return this.cluster ? this.cluster.sendCommand(key, false, args, this.options()) : this.standalone!.sendCommand(args, this.options());
  }

  async evalScript(script: RedisScript, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    try {
      return await this.send(keys[0]!, ['EVALSHA', script.sha, String(keys.length), ...keys, ...args]);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return await this.send(keys[0]!, ['EVAL', script.lua, String(keys.length), ...keys, ...args]);
    }
  }

  async hgetall(key: string): Promise<Record<string, string>> {
    return toRecord(await this.send(key, ['HGETALL', key]));
  }

  hmget(key: string, fields: readonly string[]): Promise<Array<string | null>> {
    return this.send(key, ['HMGET', key, ...fields]) as Promise<Array<string | null>>;
  }

  get(key: string): Promise<string | null> {
    return this.send(key, ['GET', key]) as Promise<string | null>;
  }

  exists(key: string): Promise<number> {
    return this.send(key, ['EXISTS', key]) as Promise<number>;
  }

  del(key: string): Promise<number> {
    return this.send(key, ['DEL', key]) as Promise<number>;
  }

  async masters(): Promise<RedisNode[]> {
    await this.ready();
    if (this.standalone) return [this.node(addressOf(this.standalone), () => Promise.resolve(this.standalone!))];
    const cluster = this.cluster!;
    return cluster.masters.map((shard) => this.node(shard.address, () => cluster.nodeClient(cluster.nodeByAddress.get(shard.address) ?? shard)));
  }

  async refreshTopology(): Promise<void> {
    const cluster = this.cluster;
    if (!cluster) return;
    const any = cluster.masters.find((shard) => shard.client?.isReady)?.client;
    // node-redis reads the topology again on MOVED; its cluster has no public call for it.
    if (any && typeof cluster._slots?.rediscover === 'function') await cluster._slots.rediscover(any);
  }

  watchNodes(listener: { ready(node: RedisNode): void; gone(address: string): void }): () => void {
    if (this.standalone) {
      const client = this.standalone;
      const address = addressOf(client);
      const onReady = () => listener.ready(this.node(address, () => Promise.resolve(client)));
      client.on('ready', onReady);
      return () => void client.off('ready', onReady);
    }
    const cluster = this.cluster!;
    const watched = new Map<Client, () => void>();
    const nodeOf = (address: string) => this.node(address, () => cluster.nodeClient(cluster.nodeByAddress.get(address) ?? { address }));
    // Reconnects of a node's client (node-redis reconnects it by itself).
    const watch = (address: string, client: Client | undefined) => {
      if (!client || watched.has(client)) return;
      const onReady = () => listener.ready(nodeOf(address));
      watched.set(client, onReady);
      client.on('ready', onReady);
    };
    for (const shard of cluster.masters) watch(shard.address, shard.client);
    // A node client's first connect: a node found in the topology, or one created again.
    const onNodeReady = (info: { host: string; port: number }) => {
      const address = `${info.host}:${info.port}`;
      if (!cluster.masters.some((shard) => shard.address === address)) return;
      watch(address, cluster.nodeByAddress.get(address)?.client);
      listener.ready(nodeOf(address));
    };
    // A node client closed for good: node-redis dropped the node from its topology (or is closing).
    const onNodeDisconnect = (info: { host: string; port: number }) => {
      const address = `${info.host}:${info.port}`;
      for (const [client, onReady] of watched) {
        if (addressOf(client) !== address) continue;
        client.off('ready', onReady);
        watched.delete(client);
      }
      this.nodes.delete(address);
      listener.gone(address);
    };
    cluster.on('node-ready', onNodeReady);
    cluster.on('node-disconnect', onNodeDisconnect);
    return () => {
      cluster.off('node-ready', onNodeReady);
      cluster.off('node-disconnect', onNodeDisconnect);
      for (const [client, onReady] of watched) client.off('ready', onReady);
      watched.clear();
    };
  }

  onConnectionLost(): () => void {
    // node-redis rejects the commands a lost connection had in flight itself (see the class comment).
    return () => undefined;
  }

  isReplyError(err: unknown): boolean {
    for (let proto = err === null || typeof err !== 'object' ? null : Object.getPrototypeOf(err); proto; proto = Object.getPrototypeOf(proto)) {
      if (proto.constructor?.name === 'ErrorReply') return true;
    }
    return false;
  }

  private node(address: string, client: () => Promise<Client>): NodeRedisNode {
    let node = this.nodes.get(address);
    if (!node) {
      node = new NodeRedisNode(address, client, this.commandTimeoutMs);
      this.nodes.set(address, node);
    }
    return node;
  }
}

class NodeRedisNode implements RedisNode {
  constructor(
    readonly address: string,
    private readonly client: () => Promise<Client>,
    private readonly commandTimeoutMs: number | false,
  ) {}

  async scan(cursor: string, pattern: string, count: number): Promise<[string, string[]]> {
    const [next, keys] = (await (await this.client()).sendCommand(['SCAN', cursor, 'MATCH', pattern, 'COUNT', String(count)])) as [string, string[]];
    return [String(next), keys];
  }

  async configGet(parameter: string): Promise<string> {
    const reply = await (await this.client()).sendCommand(['CONFIG', 'GET', parameter]);
    // RESP2: [name, value]; RESP3: a map.
    if (Array.isArray(reply)) return String(reply[1] ?? '');
    return String(toRecord(reply)[parameter] ?? '');
  }

  async configSet(parameter: string, value: string): Promise<void> {
    await (await this.client()).sendCommand(['CONFIG', 'SET', parameter, value]);
  }

  async subscribeExpired(onKey: (key: string) => void): Promise<RedisSubscription> {
    const client = await this.client();
    const options = client.options ?? {};
    const subscriber = client.duplicate({
      socket: { ...options.socket, reconnectStrategy: SUBSCRIBER_RETRY },
      // A subscriber tracks nothing and waits for nothing: no cache, no command timeout.
      clientSideCache: undefined,
      commandOptions: undefined,
      readonly: false,
    });
    subscriber.on('error', () => undefined);
    try {
      await withDeadline(
        (async () => {
          await subscriber.connect();
          // node-redis subscribes again on every reconnect.
          await subscriber.SUBSCRIBE(`__keyevent@${options.database ?? 0}__:expired`, (key) => onKey(key));
        })(),
        this.commandTimeoutMs,
      );
    } catch (err) {
      subscriber.destroy();
      throw err;
    }
    return {
      get alive() {
        return subscriber.isOpen;
      },
      close: async () => {
        await subscriber.close().catch(() => subscriber.destroy());
      },
    };
  }
}

function addressOf(client: Client): string {
  const socket = client.options?.socket ?? {};
  return socket.path ?? `${socket.host ?? 'localhost'}:${socket.port ?? 6379}`;
}

/** A hash as node-redis answers HGETALL: field/value pairs (RESP2), or a Map or object (RESP3, by type mapping). */
function toRecord(reply: unknown): Record<string, string> {
  if (Array.isArray(reply)) {
    const record: Record<string, string> = {};
    for (let i = 0; i < reply.length; i += 2) record[String(reply[i])] = String(reply[i + 1]);
    return record;
  }
  if (reply instanceof Map) {
    const record: Record<string, string> = {};
    for (const [field, value] of reply) record[String(field)] = String(value);
    return record;
  }
  return (reply ?? {}) as Record<string, string>;
}
