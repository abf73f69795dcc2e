/**
 * The Redis store's client-side cache on a redis-server of the test's own (the tests kill its
 * connections, flush it, pause and restart it): a load of an unchanged session costs no HGETALL;
 * a read whose invalidation arrives with its reply is not kept; and after a killed cache
 * connection, a FLUSHDB or a server restart, no load returns what was there before.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeRedisSessionClient, createRedisSessionClient, RedisSessionStore, type RedisClient } from '@sessiongen/runtime/redis';
import { AppSessionRepository, appSessionDescriptor } from '../../generated/index.js';
import { OwnRedis } from '../services/own-redis.js';
import { closeClient, LIBRARIES, openClient, sleep } from './helpers.js';

const CACHE_CONNECTION = 'sessiongen-cache';

for (const library of LIBRARIES) describe(`the Redis store's client-side cache on ${library} (a redis-server of the test's own)`, () => {
  let redis: OwnRedis;
  let client: RedisClient;
  let store: RedisSessionStore;
  let repository: AppSessionRepository;
  /** Writes past the store, as another app (or another instance) would. */
  let admin: Redis;
  const prefix = `${appSessionDescriptor.redis.keyPrefix}:c${randomBytes(4).toString('hex')}`;
  const key = (id: string) => `${prefix}:{${id}}`;

  beforeAll(async () => {
    redis = await OwnRedis.start({ persistent: true });
    client = library === 'ioredis' ? createRedisSessionClient({ url: redis.url }, { commandTimeout: 1_000 }) : createNodeRedisSessionClient({ url: redis.url });
    store = await RedisSessionStore.open(appSessionDescriptor, client, { keyPrefix: prefix, keyspaceNotifications: 'off', commandTimeoutMs: 1_000, clientCache: { maxEntries: 100 } });
    repository = new AppSessionRepository(store);
    admin = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    admin.on('error', () => undefined);
  });

  afterAll(async () => {
    await store?.close();
    if (client) await closeClient(client);
    admin?.disconnect();
    await redis?.stop();
  });

  const stats = () => store.clientCacheStats!;
  const hgetallCalls = async () => Number(/cmdstat_hgetall:calls=(\d+)/.exec(String(await admin.info('commandstats')))?.[1] ?? 0);
  const cacheConnectionId = async () => {
    const line = String(await admin.client('LIST'))
      .split('\n')
      .find((entry) => entry.includes(` name=${CACHE_CONNECTION} `));
    if (!line) throw new Error('no cache connection in CLIENT LIST');
    return /(?:^|\s)id=(\d+)/.exec(line)![1]!;
  };
  const saved = async (lastLoginAt: number) => {
    const session = repository.createSession().set('lastLoginAt', lastLoginAt);
    await repository.save(session);
    return session.id;
  };
  const version = async (id: string) => (await repository.findById(id))?.get('lastLoginAt');
  /** Waits until the cache serves loads again (its connection back and tracking confirmed). */
  const cacheServes = async (id: string) => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const before = stats().hits;
      await repository.findById(id);
      await repository.findById(id);
      if (stats().hits > before) return;
      if (Date.now() > deadline) throw new Error(`the cache did not serve again within 10 s: ${JSON.stringify(stats())}`);
      await sleep(50);
    }
  };

  it('serves an unchanged session from memory: no HGETALL reaches the server, and the loaded values are copies', async () => {
    const id = await saved(1);
    expect(await version(id)).toBe(1);
    const calls = await hgetallCalls();
    const hits = stats().hits;
    for (let i = 0; i < 20; i++) {
      const session = (await repository.findById(id))!;
      expect(session.get('lastLoginAt')).toBe(1);
      session.set('lastLoginAt', 1000 + i);
    }
    expect(stats().hits - hits).toBe(20);
    expect(await hgetallCalls()).toBe(calls);
  });

  it('shares one PING among concurrent loads', async () => {
    const ids = await Promise.all(Array.from({ length: 20 }, (_, i) => saved(i)));
    await Promise.all(ids.map((id) => repository.findById(id)));
    const { barriers, hits } = stats();
    const found = await Promise.all(Array.from({ length: 200 }, (_, i) => repository.findById(ids[i % 20]!)));
    expect(found.map((session) => session?.get('lastLoginAt'))).toEqual(Array.from({ length: 200 }, (_, i) => i % 20));
    expect(stats().hits - hits).toBe(200);
    // One in flight, and the loads that came meanwhile share the next.
    expect(stats().barriers - barriers).toBeLessThanOrEqual(2);
  });

  it('keeps at most maxEntries sessions, least recently used out first', async () => {
    const ids = await Promise.all(Array.from({ length: 150 }, (_, i) => saved(i)));
    for (const id of ids) await repository.findById(id);
    expect(stats().entries).toBe(100);
    const hits = stats().hits;
    await repository.findById(ids[149]!);
    expect(stats().hits).toBe(hits + 1);
    await repository.findById(ids[0]!);
    expect(stats().hits).toBe(hits + 1);
  });

  it('does not keep a read whose key was written while the read was in flight (invalidation and reply in one chunk)', async () => {
    let raced = 0;
    for (let round = 0; round < 20; round++) {
      const id = await saved(0);
      const discarded = stats().discarded;
      // Paused, the server takes the cache's HGETALL and the write in one go, and sends the reply
      // and the invalidation together: the decoder sees both before the read's continuation runs.
      redis.pause();
      let paused = true;
      try {
        const load = repository.findById(id);
        await sleep(15);
        const write = admin.hset(key(id), 'lastLoginAt', '1');
        await sleep(15);
        redis.resume();
        paused = false;
        await write;
        await load;
      } finally {
        if (paused) redis.resume();
      }
      if (stats().discarded > discarded) raced++;
      expect(await version(id), `round ${round}`).toBe(1);
      expect(await version(id), `round ${round}, again`).toBe(1);
    }
    expect(raced, 'rounds where the invalidation came with the reply').toBeGreaterThan(0);
  });

  it('a killed cache connection (CLIENT KILL ID): no stale load while it is down, and it serves again once back', async () => {
    const id = await saved(1);
    await cacheServes(id);
    const resets = stats().resets;
    await admin.client('KILL', 'ID', await cacheConnectionId());
    // Written while the cache connection is down: its invalidation is lost with the connection.
    await admin.hset(key(id), 'lastLoginAt', '2');
    expect(await version(id)).toBe(2);
    expect(stats().resets).toBeGreaterThan(resets);
    await cacheServes(id);
    await admin.hset(key(id), 'lastLoginAt', '3');
    expect(await version(id)).toBe(3);
  });

  it('killed again and again under concurrent loads and writes: no stale load', async () => {
    const ids = await Promise.all(Array.from({ length: 8 }, () => saved(0)));
    const acked = ids.map(() => 0);
    const stale: string[] = [];
    let running = true;
    const reader = async (from: number) => {
      for (let n = from; running; n++) {
        const slot = n % ids.length;
        const floor = acked[slot]!;
        const got = await version(ids[slot]!).catch(() => undefined);
        if (got !== undefined && got < floor) stale.push(`read ${got} after ${floor}`);
      }
    };
    const writer = async (slot: number) => {
      for (let v = 1; v <= 60; v++) {
        await admin.hset(key(ids[slot]!), 'lastLoginAt', String(v));
        acked[slot] = v;
        const got = await version(ids[slot]!);
        if (got !== v) stale.push(`read ${got} right after ${v}`);
      }
    };
    const killer = async () => {
      while (running) {
        await sleep(30);
        // Not listed while it reconnects: then there is nothing to kill this time.
        await cacheConnectionId()
          .then((id) => admin.client('KILL', 'ID', id))
          .catch(() => undefined);
      }
    };
    const readers = Array.from({ length: 8 }, (_, i) => reader(i));
    const killing = killer();
    const resets = stats().resets;
    await Promise.all(ids.map((_, slot) => writer(slot)));
    running = false;
    await Promise.all([...readers, killing]);
    expect(stale).toEqual([]);
    expect(stats().resets, 'the cache connection was lost along the way').toBeGreaterThan(resets);
  }, 60_000);

  it('FLUSHDB empties the cache, and a load finds nothing', async () => {
    const ids = await Promise.all(Array.from({ length: 10 }, (_, i) => saved(i)));
    for (const id of ids) await cacheServes(id);
    expect(stats().entries).toBeGreaterThan(0);
    await admin.flushdb();
    for (const id of ids) expect(await repository.findById(id)).toBeNull();
    expect(stats().entries).toBe(0);
  });

  it('a server restart: no stale load, and the cache serves again', async () => {
    const id = await saved(1);
    await cacheServes(id);
    await redis.restart('SIGTERM');
    // The append-only file kept the session; a write after the restart must be seen.
    await admin.hset(key(id), 'lastLoginAt', '2').catch(async () => {
      await sleep(500);
      await admin.hset(key(id), 'lastLoginAt', '2');
    });
    const deadline = Date.now() + 10_000;
    for (;;) {
      const got = await version(id).catch(() => 'failed' as const);
      if (got !== 'failed') {
        expect(got).toBe(2);
        break;
      }
      if (Date.now() > deadline) throw new Error('the store did not load again within 10 s of the restart');
      await sleep(100);
    }
    await cacheServes(id);
    await admin.hset(key(id), 'lastLoginAt', '3');
    expect(await version(id)).toBe(3);
  }, 60_000);

  it('expires an entry with its key: a session whose key expired is not served from memory', async () => {
    const id = await saved(1);
    await cacheServes(id);
    await admin.pexpire(key(id), 300);
    // PEXPIRE is a write: the entry was invalidated, and the next read keeps the new TTL.
    await cacheServes(id);
    await sleep(400);
    expect(await repository.findById(id)).toBeNull();
  });
});

describe('client cache on a Redis Cluster', () => {
  for (const library of LIBRARIES) {
    it(`is refused at open, saying why (${library})`, async () => {
      const cluster = openClient('cluster', library);
      try {
        await expect(RedisSessionStore.open(appSessionDescriptor, cluster, { clientCache: true, keyspaceNotifications: 'off' })).rejects.toThrow(/standalone Redis only/);
      } finally {
        await closeClient(cluster);
      }
    });
  }
});
