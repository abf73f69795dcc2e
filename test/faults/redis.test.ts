/**
 * Redis faults on a redis-server of the test's own (append-only file, fsynced before each reply):
 * its connections killed, the server paused, the server crashed and restarted, each under a load
 * of concurrent writes through the real repository. No acknowledged write may be missing
 * afterwards, and the same store (no reopen, no app restart) takes writes again. Then a stalled
 * server under the demo: requests fail with 503 within the default command timeout and work again
 * once the server resumes.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionStoreError } from '@sessiongen/runtime';
import { createNodeRedisSessionClient, createRedisSessionClient, DEFAULT_REDIS_COMMAND_TIMEOUT_MS, RedisSessionStore, type RedisClient } from '@sessiongen/runtime/redis';
import { startDemo } from '../../examples/demo/server.js';
import { AppSessionRepository, appSessionDescriptor } from '../../generated/index.js';
import { closeClient, LIBRARIES } from '../redis/helpers.js';
import { OwnRedis } from '../services/own-redis.js';
import { underFault, type WriteLoad } from './write-load.js';

const TIMEOUT_MS = 500;
const WORKERS = 16;
/** Acknowledged writes wanted before the fault, and again after it. */
const WRITES = 300;

for (const library of LIBRARIES) describe(`Redis store on ${library} under faults (a redis-server of the test's own)`, () => {
  let redis: OwnRedis;
  let client: RedisClient;
  let repository: AppSessionRepository;
  let admin: Redis;

  beforeAll(async () => {
    redis = await OwnRedis.start({ persistent: true });
    client = library === 'ioredis' ? createRedisSessionClient({ url: redis.url }, { commandTimeout: TIMEOUT_MS }) : createNodeRedisSessionClient({ url: redis.url });
    const store = await RedisSessionStore.open(appSessionDescriptor, client, {
      keyPrefix: `${appSessionDescriptor.redis.keyPrefix}:f${randomBytes(4).toString('hex')}`,
      commandTimeoutMs: TIMEOUT_MS,
      keyspaceNotifications: 'off',
    });
    repository = new AppSessionRepository(store);
    admin = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    admin.on('error', () => undefined);
  });

  afterAll(async () => {
    await repository?.close();
    if (client) await closeClient(client);
    admin?.disconnect();
    await redis?.stop();
  });

  const underLoad = (label: string, fault: (load: WriteLoad) => Promise<void>) =>
    underFault({ store: 'redis', repository, workers: WORKERS, writes: WRITES, recoveryMs: 15_000 }, label, fault);

  it('connections killed (CLIENT KILL): no acknowledged write lost, writes go on', async () => {
    const { failed } = await underLoad('connections-killed', async () => {
      const killed = Number(await admin.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes'));
      expect(killed).toBeGreaterThan(0);
    });
    expect(failed, 'writes in flight when the connections died fail').toBeGreaterThan(0);
  }, 60_000);

  it('paused for 1.5 s (SIGSTOP/SIGCONT): writes fail within the command timeout, none acknowledged is lost', async () => {
    const { failed } = await underLoad('paused', async (load) => {
      redis.pause();
      // Replies already on their way when the signal landed may still arrive.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const acknowledgedBefore = load.acknowledged.length;
      const started = Date.now();
      let error: unknown;
      try {
        await repository.save(repository.createSession().set('tenantId', 'during-the-pause'));
      } catch (err) {
        error = err;
      }
      const waited = Date.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 1_300 - waited));
      const during = load.acknowledged.length - acknowledgedBefore;
      redis.resume();
      expect(during, 'writes acknowledged while the server was stopped').toBe(0);
      expect(error).toBeInstanceOf(SessionStoreError);
      expect((error as Error).message).toMatch(/did not answer within 500 ms|timed out/);
      expect(waited).toBeLessThan(TIMEOUT_MS + 400);
    });
    expect(failed).toBeGreaterThan(0);
  }, 60_000);

  it('crashed (SIGKILL) and restarted on the same port: no acknowledged write lost, the same store writes again', async () => {
    const { failed } = await underLoad('restarted', () => redis.restart('SIGKILL', 300));
    expect(failed).toBeGreaterThan(0);
  }, 60_000);
});

for (const library of LIBRARIES) describe(`the demo on a stalled Redis (the test's own server), REDIS_CLIENT=${library}`, () => {
  let redis: OwnRedis;
  let demo: Awaited<ReturnType<typeof startDemo>>;
  let base: string;

  beforeAll(async () => {
    redis = await OwnRedis.start();
    demo = await startDemo({ ...process.env, SESSION_STORE: 'redis', REDIS_CLIENT: library, REDIS_URL: redis.url, PORT: '0', REDIS_KEY_PREFIX: 'stall:session' });
    base = `http://127.0.0.1:${demo.port}`;
  });

  afterAll(async () => {
    redis?.resume();
    await demo?.close();
    await redis?.stop();
  });

  it(`answers 503 within the default command timeout (${DEFAULT_REDIS_COMMAND_TIMEOUT_MS} ms) while Redis is stopped, and 200 after SIGCONT`, async () => {
    const put = await fetch(`${base}/api/session/attributes/tenantId`, { method: 'PUT', body: '"stall"' });
    expect(put.status).toBe(204);
    const cookie = put.headers.get('set-cookie')!.split(';')[0]!;
    redis.pause();
    const started = Date.now();
    const stalled = await fetch(`${base}/api/session`, { headers: { cookie } });
    const waited = Date.now() - started;
    redis.resume();
    console.log(`redis (${library}), stalled: GET /api/session answered ${stalled.status} after ${waited} ms`);
    expect(stalled.status).toBe(503);
    expect(await stalled.json()).toEqual({ error: 'session store unavailable', status: 503 });
    expect(waited).toBeGreaterThanOrEqual(DEFAULT_REDIS_COMMAND_TIMEOUT_MS - 50);
    expect(waited).toBeLessThan(DEFAULT_REDIS_COMMAND_TIMEOUT_MS + 1_000);
    const after = await fetch(`${base}/api/session`, { headers: { cookie } });
    expect(after.status).toBe(200);
    expect((await after.json()).attributes).toEqual({ tenantId: 'stall' });
  }, 30_000);
});
