/** The demo's Redis openers (SESSION_STORE=redis / redis-cluster, REDIS_CLIENT=ioredis / node-redis) from environment variables. */
import { describe, expect, it } from 'vitest';
import { RedisSessionStore } from '@sessiongen/runtime/redis';
import { openRedisClusterStore, openRedisStore } from '../../examples/demo/stores/redis.js';
import { AppSessionRepository } from '../../generated/index.js';
import { CLUSTER_NODES, LIBRARIES, STANDALONE_URL, uniquePrefix } from './helpers.js';

/** Whether a client of either library has been closed. */
const closed = (client: unknown) => {
  const c = client as { status?: string; isOpen?: boolean };
  return c.status !== undefined ? c.status === 'end' : c.isOpen === false;
};

describe('demo Redis stores from env', () => {
  for (const library of LIBRARIES) {
    for (const [kind, open, env] of [
      ['redis', openRedisStore, { REDIS_URL: STANDALONE_URL, REDIS_CLUSTER_NODES: CLUSTER_NODES }],
      ['redis-cluster', openRedisClusterStore, { REDIS_CLUSTER_NODES: CLUSTER_NODES }],
    ] as const) {
      it(`SESSION_STORE=${kind} REDIS_CLIENT=${library} opens a working ${kind} store and closes its client`, async () => {
        const store = await open({ ...env, REDIS_CLIENT: library, REDIS_KEY_PREFIX: uniquePrefix() });
        expect(store).toBeInstanceOf(RedisSessionStore);
        expect(store.kind).toBe(kind);
        expect((store as RedisSessionStore).commands.constructor.name).toBe(library === 'ioredis' ? 'IoRedisCommands' : 'NodeRedisCommands');
        const repo = new AppSessionRepository(store);
        const session = repo.createSession().set('tenantId', 'demo');
        await repo.save(session);
        expect((await repo.findById(session.id))?.get('tenantId')).toBe('demo');
        await repo.deleteById(session.id);
        const client = (store as RedisSessionStore).client;
        expect(closed(client)).toBe(false);
        await repo.close();
        for (let i = 0; i < 100 && !closed(client); i++) await new Promise((resolve) => setTimeout(resolve, 20));
        expect(closed(client)).toBe(true);
      });
    }
  }

  it('SESSION_STORE=redis-cluster without REDIS_CLUSTER_NODES says what is missing', async () => {
    await expect(openRedisClusterStore({})).rejects.toThrow(/REDIS_CLUSTER_NODES/);
  });

  it('REDIS_CLIENT names a library the store takes', async () => {
    await expect(openRedisStore({ REDIS_URL: STANDALONE_URL, REDIS_CLIENT: 'redis-om' })).rejects.toThrow(/REDIS_CLIENT must be ioredis or node-redis/);
  });
});
