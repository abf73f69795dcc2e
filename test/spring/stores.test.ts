/** What the Spring stores refuse at construction, each with a message that says why and what to do. */
import type { Redis } from 'ioredis';
import knexFactory from 'knex';
import { describe, expect, it } from 'vitest';
import { defaultCookieResolver, type SessionDescriptor } from '@sessiongen/runtime';
import { createRedisSessionClient } from '@sessiongen/runtime/redis';
import { SpringJdbcSessionStore, SpringRedisSessionStore } from '@sessiongen/runtime/spring';
import { appSessionDescriptor } from '../../generated/index.js';
import { CLUSTER_NODES, STANDALONE_URL } from '../redis/helpers.js';

const withoutSpring: SessionDescriptor = { ...appSessionDescriptor, spring: undefined };

describe('the Spring stores refuse what Spring\'s layout cannot hold', () => {
  it('a Redis Cluster client: Spring\'s keys carry no hash tag', async () => {
    const cluster = createRedisSessionClient({ clusterNodes: CLUSTER_NODES }, { lazyConnect: true });
    try {
      expect(() => new SpringRedisSessionStore(appSessionDescriptor, cluster as unknown as Redis)).toThrow(/cannot run on a Redis Cluster: Spring Session's keys carry no hash tag/);
    } finally {
      cluster.disconnect();
    }
  });

  it('a schema without compat "spring", and a client with a key prefix', async () => {
    const client = createRedisSessionClient({ url: STANDALONE_URL }, { lazyConnect: true }) as Redis;
    const prefixed = createRedisSessionClient({ url: STANDALONE_URL }, { lazyConnect: true, keyPrefix: 'x:' }) as Redis;
    const knex = knexFactory({ client: 'better-sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true });
    try {
      expect(() => new SpringRedisSessionStore(withoutSpring, client)).toThrow(/does not share its sessions with Spring Session; add "compat": "spring"/);
      expect(() => new SpringJdbcSessionStore(withoutSpring, knex)).toThrow(/does not share its sessions with Spring Session; add "compat": "spring"/);
      expect(() => new SpringRedisSessionStore(appSessionDescriptor, prefixed)).toThrow(/without keyPrefix/);
      expect(() => new SpringJdbcSessionStore(appSessionDescriptor, knex, { table: 'spring session' })).toThrow(/unsafe table name/);
    } finally {
      client.disconnect();
      prefixed.disconnect();
      await knex.destroy();
    }
  });

  it('declares what its layout allows, and the web integrations default to Spring\'s cookie over it', async () => {
    const client = createRedisSessionClient({ url: STANDALONE_URL }, { lazyConnect: true }) as Redis;
    const knex = knexFactory({ client: 'better-sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true });
    try {
      const redis = new SpringRedisSessionStore(appSessionDescriptor, client, { cleanupIntervalMs: false });
      const plain = new SpringRedisSessionStore(appSessionDescriptor, client, { repository: 'plain' });
      const jdbc = new SpringJdbcSessionStore(appSessionDescriptor, knex, { cleanupIntervalMs: false });
      expect(redis.capabilities).toEqual({ principalIndex: true, secondaryIndexes: false, cluster: false });
      expect(plain.capabilities).toEqual({ principalIndex: false, secondaryIndexes: false, cluster: false });
      expect(jdbc.capabilities).toEqual({ principalIndex: true, secondaryIndexes: true, cluster: true });
      for (const store of [redis, jdbc]) {
        expect(store.compat).toBe('spring');
        expect(defaultCookieResolver(store).encoding).toBe('base64');
      }
      expect(defaultCookieResolver({}).encoding).toBe('plain');
      expect(defaultCookieResolver(redis, { encoding: 'plain', name: 'JSESSION' })).toMatchObject({ encoding: 'plain', name: 'JSESSION' });
      await Promise.all([redis.close(), plain.close(), jdbc.close()]);
    } finally {
      client.disconnect();
      await knex.destroy();
    }
  });
});
