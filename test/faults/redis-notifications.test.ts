/**
 * Expired events that survive faults, on redis-servers of the test's own: a restarted server has
 * forgotten the `notify-keyspace-events` the store set, so the store sets it again when it
 * reconnects, and its subscriber resubscribes; on a cluster, a restarted master is found again
 * and gets the same; flags lost while connected come back at the periodic check; a server that
 * refuses CONFIG gets one warning and the store still works.
 */
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createNodeRedisSessionClient, createRedisSessionClient, RedisSessionStore, type RedisClient, type RedisStoreOptions } from '@sessiongen/runtime/redis';
import { AppSessionRepository, appSessionDescriptor } from '../../generated/index.js';
import { closeClient, LIBRARIES, type Library } from '../redis/helpers.js';
import { OwnRedis } from '../services/own-redis.js';
import { OwnRedisCluster } from '../services/own-redis-cluster.js';

const SESSIONS = 5;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(20);
  }
}

interface Opened {
  redis: OwnRedis;
  client: RedisClient;
  store: RedisSessionStore;
  repository: AppSessionRepository;
  admin: Redis;
  expired: Set<string>;
}

const opened: Opened[] = [];

/** A client of `library`, as an app would create it. */
function clientOf(library: Library, target: { url: string } | { clusterNodes: string }): RedisClient {
  return library === 'ioredis' ? createRedisSessionClient(target) : createNodeRedisSessionClient(target);
}

async function open(library: Library, options: RedisStoreOptions, serverArgs: string[] = []): Promise<Opened> {
  const redis = await OwnRedis.start({ args: serverArgs });
  const client = clientOf(library, { url: redis.url });
  const store = await RedisSessionStore.open(appSessionDescriptor, client, options);
  // One-second sessions: Redis expires them itself.
  const repository = new AppSessionRepository(store, { maxInactiveInterval: 1 });
  const expired = new Set<string>();
  repository.on('expired', (event) => expired.add(event.sessionId));
  const admin = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  admin.on('error', () => undefined);
  const result = { redis, client, store, repository, admin, expired };
  opened.push(result);
  return result;
}

afterEach(async () => {
  for (const { store, client, admin, redis } of opened.splice(0)) {
    await store.close();
    await closeClient(client);
    admin.disconnect();
    await redis.stop();
  }
});

/** Saves `count` one-second sessions; resolves with their ids. */
async function sessions(repository: AppSessionRepository, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const session = repository.createSession().set('tenantId', `expiring-${i}`);
    await repository.save(session);
    ids.push(session.id);
  }
  return ids;
}

/** How many of `ids` had their expired event within `timeoutMs`. */
async function expiredOf(expired: Set<string>, ids: string[], timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (ids.some((id) => !expired.has(id)) && Date.now() < deadline) await sleep(20);
  return ids.filter((id) => expired.has(id)).length;
}

async function flags(admin: Redis): Promise<string> {
  return ((await admin.config('GET', 'notify-keyspace-events')) as string[])[1] ?? '';
}

for (const library of LIBRARIES) describe(`Redis expired events across faults on ${library} (redis-servers of the test's own)`, () => {

  it.each(['SIGTERM', 'SIGKILL'] as const)('every expired event arrives before and after a restart (%s)', async (signal) => {
    // No periodic check: the reconnect alone must bring the events back.
    const { redis, repository, admin, expired, store } = await open(library, { notificationCheckMs: false });
    expect(store.notifications).toBe('on');
    const before = await sessions(repository, SESSIONS);
    const beforeCount = await expiredOf(expired, before, 5_000);

    await redis.restart(signal, 200);
    await until('the store writes again', async () => {
      try {
        return (await repository.save(repository.createSession().set('tenantId', 'probe'))) === 'saved';
      } catch {
        return false;
      }
    }, 10_000);
    // Pub/sub keeps nothing for a subscriber that is not there: wait for it to be back.
    await until('the subscriber is back', async () => /\bsub=1\b/.test((await admin.client('LIST')) as string), 10_000);
    const after = await sessions(repository, SESSIONS);
    const afterCount = await expiredOf(expired, after, 5_000);
    console.log(`redis (${library}), restart (${signal}): ${beforeCount} of ${SESSIONS} expired events before, ${afterCount} of ${SESSIONS} after`);
    expect(beforeCount).toBe(SESSIONS);
    expect(afterCount).toBe(SESSIONS);
    // The restarted server started without the flags; the store set them again (its stats start at zero).
    expect((await admin.info('commandstats')) as string).toMatch(/cmdstat_config\|set:calls=[1-9]/);
    expect(await flags(admin)).toMatch(/E/);
    expect(store.notifications).toBe('on');
  }, 30_000);

  it('sets the flags again at the periodic check when they are lost while connected', async () => {
    const { repository, admin, expired } = await open(library, { notificationCheckMs: 100 });
    await admin.config('SET', 'notify-keyspace-events', '');
    await until('the flags are back', async () => /E/.test(await flags(admin)) && /[xA]/.test(await flags(admin)), 2_000);
    const ids = await sessions(repository, SESSIONS);
    expect(await expiredOf(expired, ids, 5_000)).toBe(SESSIONS);
  }, 20_000);

  it('warns once when the server refuses CONFIG, and everything else works', async () => {
    const warnings: string[] = [];
    const { store, repository } = await open(library, { notificationCheckMs: 50, logger: (message) => warnings.push(message) }, ['--rename-command', 'CONFIG', '']);
    expect(store.notifications).toBe('refused');
    await sleep(400);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/will not send expired events .*CONFIG GET failed.*notify-keyspace-events/);
    const session = repository.createSession().set('tenantId', 'still-works');
    await repository.save(session);
    expect((await repository.findById(session.id))!.get('tenantId')).toBe('still-works');
  }, 20_000);
});

for (const library of LIBRARIES) describe(`Redis Cluster expired events across a master's restart on ${library} (a cluster of the test's own)`, () => {
  let cluster: OwnRedisCluster | undefined;
  let client: RedisClient | undefined;
  let store: RedisSessionStore | undefined;
  const admins: Redis[] = [];

  afterEach(async () => {
    await store?.close();
    if (client) await closeClient(client);
    for (const admin of admins.splice(0)) admin.disconnect();
    await cluster?.stop();
  });

  it('a restarted master gets its flags and subscriber back, and every expired event arrives', async () => {
    cluster = await OwnRedisCluster.start();
    client = clientOf(library, { clusterNodes: cluster.clusterNodes });
    // No periodic check: losing the node and finding it again must be enough.
    store = await RedisSessionStore.open(appSessionDescriptor, client, { notificationCheckMs: false });
    const repository = new AppSessionRepository(store, { maxInactiveInterval: 1 });
    const expired = new Set<string>();
    repository.on('expired', (event) => expired.add(event.sessionId));
    for (const node of cluster.nodes) {
      const admin = new Redis(node.url, { maxRetriesPerRequest: 1 });
      admin.on('error', () => undefined);
      admins.push(admin);
    }
    const count = 15;
    const before = await sessions(repository, count);
    const beforeCount = await expiredOf(expired, before, 5_000);

    const victim = cluster.nodes[0]!;
    await victim.restart('SIGKILL', 200);
    await cluster.waitUntilOk(10_000);
    const victimAdmin = admins[0]!;
    await until('the store\'s subscriber is back on the restarted master', async () => {
      try {
        return /\bsub=1\b/.test((await victimAdmin.client('LIST')) as string);
      } catch {
        return false;
      }
    }, 10_000);
    const after = await sessions(repository, count);
    expect(await victimAdmin.dbsize(), 'some sessions live on the restarted master').toBeGreaterThan(0);
    const afterCount = await expiredOf(expired, after, 5_000);
    console.log(`redis cluster (${library}), a master restarted (SIGKILL): ${beforeCount} of ${count} expired events before, ${afterCount} of ${count} after`);
    expect(beforeCount).toBe(count);
    expect(afterCount).toBe(count);
    expect((await victimAdmin.info('commandstats')) as string).toMatch(/cmdstat_config\|set:calls=[1-9]/);
    expect(store.notifications).toBe('on');
  }, 60_000);
});
