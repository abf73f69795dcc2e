/**
 * The generated Redis layout (generated/redis/keys.ts and LAYOUT.md) is what the emitter makes from
 * the schema, and it is what the store really writes: key names, types, fields and TTLs, on a
 * standalone server and on the cluster.
 */
import { readFileSync } from 'node:fs';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withBanner } from '../../generator/emit/banner.js';
import { redisLayoutEmitter } from '../../generator/emitters/redis/layout-file.js';
import { loadSchema } from '../../generator/load/load-schema.js';
import type { SessionModel } from '../../generator/model/model.js';
import { AppSessionRepository } from '../../generated/index.js';
import { appSessionRedisKeys, appSessionRedisMetaFields } from '../../generated/redis/keys.js';
import { keysUnder, openStore, type OpenedStore, SUBJECTS } from './helpers.js';

const SCHEMA = 'schema/app-session.schema.json';

describe('generated Redis layout (golden)', () => {
  const model = loadSchema(SCHEMA);
  const emitted = new Map(redisLayoutEmitter.emit({ model, runtimeImport: '@sessiongen/runtime' }).map((file) => [file.path, file.content]));

  it('emits exactly redis/keys.ts and redis/LAYOUT.md, equal to the committed files', () => {
    expect([...emitted.keys()].sort()).toEqual(['redis/LAYOUT.md', 'redis/keys.ts']);
    for (const [path, content] of emitted) {
      expect(readFileSync(`generated/${path}`, 'utf8'), path).toBe(withBanner(path, content, model.sourcePath));
    }
  });

  it('documents every key with its type, TTL, writer and an example', () => {
    const layout = emitted.get('redis/LAYOUT.md')!;
    const keys = appSessionRedisKeys();
    const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
    for (const example of [keys.session(id), keys.moveLock(id), keys.moved(id), keys.principalNameIndex('alice'), keys.tenantIdIndex('example-tenant-id')]) {
      const row = layout.split('\n').find((line) => line.startsWith('| `') && line.includes(`\`${example}\``));
      expect(row, example).toBeDefined();
      expect(row!.split(' | ')).toHaveLength(5);
    }
    for (const field of Object.values(appSessionRedisMetaFields)) expect(layout).toContain(`| \`${field}\` |`);
    for (const attribute of model.attributes) expect(layout).toContain(`| \`${attribute.name}\` |`);
    expect(layout).toContain('`draft:…`');
  });

  it('follows the schema: prefix, typed builders per index, examples from the schema', () => {
    const variant: SessionModel = structuredClone(model);
    variant.stores.redis.keyPrefix = 'shop:s';
    variant.attributes.push({ name: 'level', schema: { type: 'integer', examples: [7] }, hasDefault: false });
    variant.indexes.push({ name: 'level', attribute: 'level', type: 'integer', column: 'level', pascal: 'Level', isPrincipal: false });
    const files = new Map(redisLayoutEmitter.emit({ model: variant, runtimeImport: 'x' }).map((file) => [file.path, file.content]));
    const keysTs = files.get('redis/keys.ts')!;
    expect(keysTs).toContain("export const appSessionRedisKeyPrefix = 'shop:s';");
    expect(keysTs).toContain('levelIndex: (value: number): string => `${prefix}:index:level:${JSON.stringify(value)}`');
    expect(files.get('redis/LAYOUT.md')).toContain('`shop:s:index:level:7`');
  });
});

for (const { topology, library } of SUBJECTS) {
  describe(`Redis layout as written (${topology}, ${library})`, () => {
    let opened: OpenedStore;
    let repo: AppSessionRepository;
    let keys: ReturnType<typeof appSessionRedisKeys>;

    /** How many of the keys exist (one EXISTS per key: on a cluster they are in different slots). */
    const existing = async (...list: string[]) => (await Promise.all(list.map((key) => opened.admin.exists(key)))).reduce((a, b) => a + b, 0);

    beforeAll(async () => {
      opened = await openStore(topology, { keyspaceNotifications: 'off' }, undefined, library);
      repo = new AppSessionRepository(opened.store);
      keys = appSessionRedisKeys(opened.prefix);
    });
    afterAll(() => opened?.close());

    it('a hash per session with metadata and JSON attribute fields, expiring at the session expiry', async () => {
      const principal = `layout-${Date.now()}`;
      const session = repo.createSession().set('principalName', principal).set('tenantId', 'acme').set('roles', ['a', 'b']);
      await repo.save(session);
      const client = opened.admin;
      const key = keys.session(session.id);
      expect(await client.type(key)).toBe('hash');
      expect(await client.hgetall(key)).toEqual({
        [appSessionRedisMetaFields.creationTime]: String(session.creationTime),
        [appSessionRedisMetaFields.lastAccessedTime]: String(session.lastAccessedTime),
        [appSessionRedisMetaFields.maxInactiveInterval]: '1800',
        [appSessionRedisMetaFields.indexedUntil]: String(session.lastAccessedTime + 2700_000),
        principalName: JSON.stringify(principal),
        tenantId: '"acme"',
        roles: '["a","b"]',
      });
      const expiresAt = session.lastAccessedTime + 1800_000;
      expect(await client.call('PEXPIRETIME', key)).toBe(expiresAt);
      // Index entries are scored with an upper bound of the expiry: expiry + half the timeout.
      const bound = expiresAt + 900_000;
      for (const indexKey of [keys.principalNameIndex(principal), keys.tenantIdIndex('acme')]) {
        expect(await client.type(indexKey)).toBe('zset');
        expect(await client.zscore(indexKey, session.id)).toBe(String(bound));
        expect(await client.call('PEXPIRETIME', indexKey)).toBe(bound);
      }
      // A save that keeps the session within that bound leaves the index alone; one beyond it rewrites it.
      const touched = (await repo.findById(session.id))!;
      touched.lastAccessedTime += 60_000;
      await repo.save(touched.set('roles', ['c']));
      expect(await client.call('PEXPIRETIME', key)).toBe(expiresAt + 60_000);
      expect(await client.zscore(keys.principalNameIndex(principal), session.id)).toBe(String(bound));
      touched.lastAccessedTime += 900_000;
      await repo.save(touched.set('roles', ['d']));
      const later = touched.lastAccessedTime + 1800_000 + 900_000;
      expect(await client.zscore(keys.principalNameIndex(principal), session.id)).toBe(String(later));
      expect(await client.zscore(keys.tenantIdIndex('acme'), session.id)).toBe(String(later));
      expect(await client.hget(key, appSessionRedisMetaFields.indexedUntil)).toBe(String(later));
      expect(await client.exists(keys.moveLock(session.id))).toBe(0);
      await repo.deleteById(session.id);
      expect(await existing(key, keys.principalNameIndex(principal), keys.tenantIdIndex('acme'))).toBe(0);
    });

    it('an index key lives as long as its longest-lived member, forever for a never-expiring one', async () => {
      const principal = `ttl-${Date.now()}`;
      const short = repo.createSession().set('principalName', principal);
      short.maxInactiveInterval = 60;
      const long = repo.createSession().set('principalName', principal);
      long.maxInactiveInterval = 7200;
      await repo.save(short);
      await repo.save(long);
      const indexKey = keys.principalNameIndex(principal);
      expect(await opened.admin.call('PEXPIRETIME', indexKey)).toBe(long.lastAccessedTime + 7200_000 + 3600_000);
      const forever = repo.createSession().set('principalName', principal);
      forever.maxInactiveInterval = -1;
      await repo.save(forever);
      expect(await opened.admin.pttl(keys.session(forever.id))).toBe(-1);
      expect(await opened.admin.zscore(indexKey, forever.id)).toBe('inf');
      expect(await opened.admin.pttl(indexKey)).toBe(-1);
      await repo.deleteById(forever.id);
      expect(await opened.admin.call('PEXPIRETIME', indexKey)).toBe(long.lastAccessedTime + 7200_000 + 3600_000);
      await repo.deleteById(short.id);
      await repo.deleteById(long.id);
      expect(await opened.admin.exists(indexKey)).toBe(0);
    });

    it('a save whose expiry has passed deletes the session and its index entries', async () => {
      const principal = `past-${Date.now()}`;
      const session = repo.createSession().set('principalName', principal);
      await repo.save(session);
      const found = (await repo.findById(session.id))!;
      found.lastAccessedTime = Date.now() - 3600_000;
      expect(await repo.save(found)).toBe('saved');
      expect(await existing(keys.session(session.id), keys.principalNameIndex(principal))).toBe(0);
    });

    it('leaves no key behind an id change but the new hash, its index entry and the moved marker (which expires)', async () => {
      const principal = `only-${Date.now()}`;
      const session = repo.createSession().set('principalName', principal).set('draft:x', 'y');
      await repo.save(session);
      const oldId = session.id;
      session.changeSessionId();
      await repo.save(session);
      const written = await keysUnder(opened.admin, opened.prefix);
      expect(written.filter((key) => key.includes(oldId) || key.endsWith(':moving'))).toEqual([keys.moved(oldId)]);
      expect(await opened.admin.get(keys.moved(oldId))).toBe(session.id);
      const markerTtl = await opened.admin.pttl(keys.moved(oldId));
      expect(markerTtl).toBeGreaterThan(0);
      expect(markerTtl).toBeLessThanOrEqual(60_000);
      expect(written).toContain(keys.session(session.id));
      expect(await opened.admin.zrange(keys.principalNameIndex(principal), '0', '-1')).toEqual([session.id]);
      await repo.deleteById(session.id);
      expect(await existing(keys.session(session.id), keys.principalNameIndex(principal))).toBe(0);
    });

    if (topology === 'cluster') {
      it('spreads sessions and index keys over the masters (so the cluster paths really run)', async () => {
        const cluster = opened.admin as Cluster;
        expect(cluster.nodes('master')).toHaveLength(3);
        const sessions = await Promise.all(Array.from({ length: 12 }, () => repo.save(repo.createSession()).then(() => null)));
        expect(sessions).toHaveLength(12);
        const slot = async (key: string) => Number(await cluster.call('CLUSTER', 'KEYSLOT', key));
        const a = repo.createSession();
        const b = repo.createSession();
        expect(await slot(keys.session(a.id))).toBe(await slot(keys.moveLock(a.id)));
        expect(await slot(keys.session(a.id))).toBe(await slot(keys.moved(a.id)));
        const slots = new Set(await Promise.all([keys.session(a.id), keys.session(b.id), keys.principalNameIndex('x'), keys.tenantIdIndex('y')].map(slot)));
        expect(slots.size).toBe(4);
        const perNode = await Promise.all(cluster.nodes('master').map((node) => node.dbsize()));
        expect(perNode.filter((count) => count > 0).length).toBeGreaterThanOrEqual(2);
      });
    }
  });
}
