/** The demo's Redis openers (SESSION_STORE=redis / redis-cluster) from environment variables. */
import { describe, expect, it } from 'vitest';
import { RedisSessionStore } from '@sessiongen/runtime/redis';
import { openRedisClusterStore, openRedisStore } from '../../examples/demo/stores/redis.js';
import { AppSessionRepository } from '../../generated/index.js';
import { CLUSTER_NODES, STANDALONE_URL, uniquePrefix } from './helpers.js';

describe('demo Redis stores from env', () => {
  for (const [kind, open, env] of [
    ['redis', openRedisStore, { REDIS_URL: STANDALONE_URL, REDIS_CLUSTER_NODES: CLUSTER_NODES }],
    ['redis-cluster', openRedisClusterStore, { REDIS_CLUSTER_NODES: CLUSTER_NODES }],
  ] as const) {
    it(`SESSION_STORE=${kind} opens a working ${kind} store and closes its client`, async () => {
      const store = await open({ ...env, REDIS_KEY_PREFIX: uniquePrefix() });
      expect(store).toBeInstanceOf(RedisSessionStore);
      expect(store.kind).toBe(kind);
      const repo = new AppSessionRepository(store);
      const session = repo.createSession().set('tenantId', 'demo');
      await repo.save(session);
      expect((await repo.findById(session.id))?.get('tenantId')).toBe('demo');
      await repo.deleteById(session.id);
      const client = (store as RedisSessionStore).client;
      await repo.close();
      for (let i = 0; i < 100 && client.status !== 'end'; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(client.status).toBe('end');
    });
  }

  it('SESSION_STORE=redis-cluster without REDIS_CLUSTER_NODES says what is missing', async () => {
    await expect(openRedisClusterStore({})).rejects.toThrow(/REDIS_CLUSTER_NODES/);
  });
});
