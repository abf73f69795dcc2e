/**
 * What the conformance suite does not see of the Geode store, against the server the global setup
 * started from generated/geode/cache.xml: the stored documents and the PDX types they make, which
 * region a session lives in and its move to the long region, two store instances (two processes'
 * worth: no shared queue) racing by compare-and-set, and the named queries. (What sweeps runs on a
 * server of its own, test/geode/expiration.test.ts: a sweep takes every expired session in the
 * regions, the conformance suite's too.)
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionRepository } from '@sessiongen/runtime';
import { GEODE_DOCUMENT_FIELDS, GeodeSessionStore, type GeodeStoreOptions } from '@sessiongen/runtime/geode';
import { appSessionGeodeRegions as REGIONS } from '../../generated/geode/region.js';
import { AppSessionRepository, type AppSession } from '../../generated/index.js';
import { openAppSessionDescriptor } from '../conformance/open-descriptor.js';

const url = () => {
  if (!process.env.GEODE_URL) throw new Error('GEODE_URL is not set: the global setup starts the Geode server');
  return process.env.GEODE_URL;
};
const stores: GeodeSessionStore[] = [];
const open = async (options: GeodeStoreOptions = {}) => {
  const store = await GeodeSessionStore.open(openAppSessionDescriptor, REGIONS, url(), { sweepIntervalMs: false, ...options });
  stores.push(store);
  return store;
};
const adhoc = async (oql: string) => {
  const response = await fetch(`${url()}/queries/adhoc?q=${encodeURIComponent(oql)}`);
  expect(response.status).toBe(200);
  return (await response.json()) as unknown[];
};
const raw = async (region: string, id: string) => {
  const response = await fetch(`${url()}/${region}?keys=${encodeURIComponent(encodeURIComponent(id))}`);
  return response.status === 404 ? null : ((await response.json()) as Record<string, unknown>);
};

let a: GeodeSessionStore;
let b: GeodeSessionStore;
let repoA: AppSessionRepository;
let repoB: AppSessionRepository;

beforeAll(async () => {
  a = await open();
  b = await open();
  repoA = new AppSessionRepository(a);
  repoB = new AppSessionRepository(b);
});
afterAll(async () => {
  for (const store of stores) await store.close();
});

const saved = async (repo: AppSessionRepository, setup?: (session: AppSession) => void) => {
  const session = repo.createSession();
  setup?.(session);
  expect(await repo.save(session)).toBe('saved');
  return session;
};

describe('geode documents', () => {
  it('stores fixed fields, index fields as JSON text and the attributes as one JSON string', async () => {
    const principal = `doc-${randomUUID()}`;
    const session = await saved(repoA, (s) => s.set('principalName', principal).set('lastLoginAt', 42).set('cart', [{ sku: 'ABC-1', quantity: 1, unitPriceCents: 5 }]));
    const stored = await raw(REGIONS.region, session.id);
    expect(Object.keys(stored!)).toEqual([
      'session_id',
      'creation_time',
      'last_access_time',
      'max_inactive_interval',
      'expiry_time',
      'entry_state',
      'marker',
      'principal_name',
      'tenant_id',
      'attributes',
    ]);
    expect(stored).toMatchObject({
      session_id: session.id,
      max_inactive_interval: 1800,
      expiry_time: session.lastAccessedTime + 1_800_000,
      entry_state: 'live',
      marker: '',
      principal_name: JSON.stringify(principal),
      tenant_id: '',
    });
    expect(JSON.parse(stored!.attributes as string)).toEqual({ principalName: principal, lastLoginAt: 42, cart: [{ sku: 'ABC-1', quantity: 1, unitPriceCents: 5 }] });
    expect(Object.keys(stored!).filter((key) => !['principal_name', 'tenant_id'].includes(key))).toEqual(Object.values(GEODE_DOCUMENT_FIELDS));
  });

  it('makes the same few PDX types whatever the attribute names (200 new names add none)', async () => {
    const open = new SessionRepository(openAppSessionDescriptor, a);
    const first = open.createSession().set(`warm-${randomUUID()}`, { nested: { deep: [1, 'two'] } });
    await open.save(first);
    for (let i = 0; i < 20; i++) {
      const session = open.createSession();
      for (let j = 0; j < 10; j++) session.set(`name-${randomUUID()}`, { [`key-${randomUUID()}`]: j, list: [{ [`k${i}${j}`]: true }] });
      expect(await open.save(session)).toBe('saved');
    }
    const types = (await adhoc('SELECT e.value.toString() FROM /PdxTypes.entries e')) as string[];
    // Other suites write to this server at the same time: only this schema's JSON type may appear,
    // in at most three forms (the timeout field is a byte, short or int by its size).
    expect(types.length).toBeLessThanOrEqual(3);
    for (const type of types) {
      expect(type).toContain('name=__GEMFIRE_JSON');
      const fields = [...type.matchAll(/(\w+):(\w+):\d+/g)].map((match) => match[1]);
      expect(fields).toEqual(['session_id', 'creation_time', 'last_access_time', 'max_inactive_interval', 'expiry_time', 'entry_state', 'marker', 'principal_name', 'tenant_id', 'attributes']);
    }
  });
});

describe('regions', () => {
  it('keeps default-timeout sessions in the expiring region, longer and never-expiring ones in the long region', async () => {
    const short = await saved(repoA);
    const never = await saved(repoA, (s) => (s.maxInactiveInterval = -1));
    const long = await saved(repoA, (s) => (s.maxInactiveInterval = 86_400));
    expect(await raw(REGIONS.region, short.id)).not.toBeNull();
    expect(await raw(REGIONS.longRegion, short.id)).toBeNull();
    for (const session of [never, long]) {
      expect(await raw(REGIONS.region, session.id)).toBeNull();
      expect(await raw(REGIONS.longRegion, session.id)).toMatchObject({ entry_state: 'live' });
    }
    expect((await raw(REGIONS.longRegion, never.id))!.expiry_time).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('relocates a session whose timeout grows past the region\'s, under its own id, and keeps finding it once', async () => {
    const principal = `grow-${randomUUID()}`;
    const session = await saved(repoA, (s) => s.set('principalName', principal).set('tenantId', 'before'));
    const found = (await repoB.findById(session.id))!;
    found.maxInactiveInterval = -1;
    found.set('tenantId', 'after');
    expect(await repoB.save(found)).toBe('saved');
    expect(await raw(REGIONS.region, session.id)).toMatchObject({ entry_state: 'relocated', principal_name: '', tenant_id: '' });
    expect(await raw(REGIONS.longRegion, session.id)).toMatchObject({ entry_state: 'live', max_inactive_interval: -1 });
    for (const repo of [repoA, repoB]) {
      const again = (await repo.findById(session.id))!;
      expect(again.attributesSnapshot()).toEqual({ principalName: principal, tenantId: 'after' });
      expect(again.maxInactiveInterval).toBe(-1);
    }
    expect([...(await repoA.findByPrincipalName(principal)).keys()]).toEqual([session.id]);
    const listed: string[] = [];
    for await (const id of repoA.listIds()) if (id === session.id) listed.push(id);
    expect(listed).toEqual([session.id]);

    // Later saves stay in the long region, even with a short timeout again; deletes reach it.
    const later = (await repoA.findById(session.id))!;
    later.maxInactiveInterval = 60;
    await repoA.save(later.set('roles', ['r']));
    expect(await raw(REGIONS.longRegion, session.id)).toMatchObject({ entry_state: 'live', max_inactive_interval: 60 });
    await repoB.deleteById(session.id);
    expect(await repoA.findById(session.id)).toBeNull();
    expect(await raw(REGIONS.longRegion, session.id)).toMatchObject({ entry_state: 'deleted' });
  });

  it('relocating on two instances at once keeps both changes', async () => {
    const session = await saved(repoA);
    const [x, y] = await Promise.all([repoA.findById(session.id), repoB.findById(session.id)]);
    x!.maxInactiveInterval = -1;
    y!.maxInactiveInterval = 7_200;
    const outcomes = await Promise.all([repoA.save(x!.set('draft:x', 'x')), repoB.save(y!.set('draft:y', 'y'))]);
    expect(outcomes).toEqual(['saved', 'saved']);
    const found = (await repoA.findById(session.id))!;
    expect(found.get('draft:x')).toBe('x');
    expect(found.get('draft:y')).toBe('y');
    expect(await raw(REGIONS.longRegion, session.id)).toMatchObject({ entry_state: 'live' });
  });
});

describe('two instances racing by compare-and-set', () => {
  it('keeps all of 50 concurrent saves of 50 attributes split over two instances', async () => {
    const session = await saved(repoA, (s) => s.set('principalName', 'two-instances'));
    const copies = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? repoA : repoB).findById(session.id)));
    const outcomes = await Promise.all(copies.map((copy, i) => (i % 2 ? repoA : repoB).save(copy!.set(`draft:d${i}`, `v${i}`))));
    expect(outcomes).toEqual(Array(50).fill('saved'));
    const found = (await repoA.findById(session.id))!;
    for (let i = 0; i < 50; i++) expect(found.get(`draft:d${i}`)).toBe(`v${i}`);
    expect(found.get('principalName')).toBe('two-instances');
  });

  it('keeps 20 saves from the other instance racing an id change, all under the new id', async () => {
    const session = await saved(repoA, (s) => s.set('tenantId', 'race'));
    const copies = await Promise.all(Array.from({ length: 20 }, () => repoB.findById(session.id)));
    const mover = (await repoA.findById(session.id))!;
    const newId = mover.changeSessionId();
    const outcomes = await Promise.all([repoA.save(mover), ...copies.map((copy, i) => repoB.save(copy!.set(`draft:r${i}`, `v${i}`)))]);
    expect(outcomes).toEqual(Array(21).fill('saved'));
    const found = (await repoB.findById(newId))!;
    for (let i = 0; i < 20; i++) expect(found.get(`draft:r${i}`)).toBe(`v${i}`);
    expect(await repoB.findById(session.id)).toBeNull();
    expect(await repoB.findByIdOrMoved(session.id)).toBe('moved');
  });

  it('a save on one instance after a delete on the other writes nothing', async () => {
    const session = await saved(repoA, (s) => s.set('tenantId', 'alive'));
    const copy = (await repoA.findById(session.id))!;
    await repoB.deleteById(session.id);
    expect(await repoA.save(copy.set('tenantId', 'ghost'))).toBe('gone');
    expect(await raw(REGIONS.region, session.id)).toMatchObject({ entry_state: 'deleted', attributes: '{}' });
  });
});

describe('named queries', () => {
  it('registers parameterized OQL only: no value is ever part of a query text', async () => {
    const principal = `q-${randomUUID()}`;
    await saved(repoA, (s) => s.set('principalName', principal));
    expect([...(await repoA.findByPrincipalName(principal)).values()]).toHaveLength(1);
    const { queries } = (await (await fetch(`${url()}/queries`)).json()) as { queries: Array<{ id: string; oql: string }> };
    const ours = queries.filter((query) => query.id.startsWith('sessiongen-'));
    expect(ours.length).toBe(2 * (2 + REGIONS.indexFields.length));
    for (const query of ours) {
      expect(query.oql).toMatch(/\$1/);
      expect(query.oql).not.toContain(principal);
      expect(query.oql).not.toMatch(/'[^']*'/);
    }
  });
});
