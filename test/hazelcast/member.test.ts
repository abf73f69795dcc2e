/**
 * The Hazelcast store against the member the global setup started from generated/hazelcast/member.xml:
 * queries run on the member, TTLs, compare-and-set across two clients.
 */
import { randomUUID } from 'node:crypto';
import { HazelcastJsonValue, Predicates, type IMap } from 'hazelcast-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionDescriptor } from '@sessiongen/runtime';
import { createHazelcastSessionClient, HazelcastSessionStore, type HazelcastClient } from '@sessiongen/runtime/hazelcast';
import { appSessionDescriptor, AppSessionRepository } from '../../generated/index.js';
import { appSessionHazelcastMapping } from '../../generated/hazelcast/mapping.js';
import { ledgerSessionHazelcastMapping } from './golden/ledger/mapping.js';

const connect = () =>
  createHazelcastSessionClient({
    clusterName: process.env.HAZELCAST_CLUSTER_NAME,
    network: { clusterMembers: (process.env.HAZELCAST_MEMBERS ?? '').split(',') },
  });

let clientA: HazelcastClient;
let clientB: HazelcastClient;
let storeA: HazelcastSessionStore;
let storeB: HazelcastSessionStore;
let repoA: AppSessionRepository;
let repoB: AppSessionRepository;
let raw: IMap<string, HazelcastJsonValue>;

beforeAll(async () => {
  expect(process.env.HAZELCAST_MEMBERS, 'the global setup announces its member').toBeTruthy();
  [clientA, clientB] = await Promise.all([connect(), connect()]);
  storeA = await HazelcastSessionStore.open(appSessionDescriptor, appSessionHazelcastMapping, clientA);
  storeB = await HazelcastSessionStore.open(appSessionDescriptor, appSessionHazelcastMapping, clientB);
  repoA = new AppSessionRepository(storeA);
  repoB = new AppSessionRepository(storeB);
  raw = await clientA.getMap<string, HazelcastJsonValue>(appSessionHazelcastMapping.map);
}, 60_000);

afterAll(async () => {
  await storeA?.close();
  await storeB?.close();
  await clientA?.shutdown();
  await clientB?.shutdown();
});

const ttlOf = async (id: string) => {
  const view = await raw.getEntryView(id);
  expect(view, `entry ${id}`).not.toBeNull();
  return { ttl: Number(view!.ttl.toString()), expirationTime: Number(view!.expirationTime.toString()) };
};
const NEVER = Number(9223372036854775807n);

describe('the member loaded the generated XML', () => {
  it('applies its map TTL to writes without one (so saves with the default timeout skip setTtl)', () => {
    expect(storeA.skipsMatchingTtl).toBe(true);
  });

  it('stores JSON the member can read: plain top-level fields, attributes nested', async () => {
    const session = repoA.createSession().set('principalName', 'json-reader').set('cart', [{ sku: 'ABC-1', quantity: 1, unitPriceCents: 5 }]);
    await repoA.save(session);
    const stored = JSON.parse(String(await raw.get(session.id)));
    expect(stored).toMatchObject({
      session_id: session.id,
      creation_time: session.creationTime,
      last_access_time: session.lastAccessedTime,
      max_inactive_interval: 1800,
      expiry_time: session.lastAccessedTime + 1_800_000,
      principal_name: 'json-reader',
      tenant_id: null,
      attributes: { principalName: 'json-reader', cart: [{ sku: 'ABC-1', quantity: 1, unitPriceCents: 5 }] },
    });
  });
});

describe('index queries run on the member', () => {
  it('the member answers a predicate on an indexed field with exactly the matching sessions', async () => {
    const principal = `p-${randomUUID()}`;
    for (let i = 0; i < 3; i++) await repoA.save(repoA.createSession().set('principalName', principal));
    await Promise.all(Array.from({ length: 100 }, () => repoA.save(repoA.createSession().set('principalName', `other-${randomUUID()}`))));
    // A raw client query (no sessiongen code involved): the member evaluates it on the JSON field.
    const matched = await raw.valuesWithPredicate(Predicates.equal('principal_name', principal));
    expect(matched.size()).toBe(3);
    expect(matched.toArray().map((value) => JSON.parse(String(value)).principal_name)).toEqual([principal, principal, principal]);
  });

  it('findByIndex sends one predicate and gets back only the matches (no scan in Node)', async () => {
    const tenant = `t-${randomUUID().slice(0, 8)}`;
    const a = repoA.createSession().set('tenantId', tenant);
    await repoA.save(a);
    await Promise.all(Array.from({ length: 50 }, () => repoA.save(repoA.createSession().set('tenantId', 'someone-else'))));
    const map = (storeA as unknown as { map: IMap<string, HazelcastJsonValue> }).map;
    const calls: string[] = [];
    const returned: number[] = [];
    const original = {
      valuesWithPredicate: map.valuesWithPredicate.bind(map),
    };
    const forbidden = ['values', 'entrySet', 'keySet', 'getAll', 'entrySetWithPredicate', 'keySetWithPredicate'] as const;
    const saved = new Map<string, unknown>();
    for (const name of forbidden) {
      saved.set(name, (map as unknown as Record<string, unknown>)[name]);
      (map as unknown as Record<string, unknown>)[name] = () => {
        throw new Error(`${name} must not be used by findByIndex`);
      };
    }
    (map as unknown as Record<string, unknown>).valuesWithPredicate = async (predicate: unknown) => {
      calls.push(JSON.stringify(predicate));
      const result = await original.valuesWithPredicate(predicate as never);
      returned.push(result.size());
      return result;
    };
    try {
      const found = await repoA.findByTenantId(tenant);
      expect([...found.keys()]).toEqual([a.id]);
    } finally {
      delete (map as unknown as Record<string, unknown>).valuesWithPredicate;
      for (const name of forbidden) delete (map as unknown as Record<string, unknown>)[name];
    }
    expect(calls).toHaveLength(1);
    expect(calls[0]).toContain('tenant_id');
    expect(returned).toEqual([1]);
    expect(saved.size).toBe(forbidden.length);
  });

  it('integer, number and boolean index fields match on the member (numbers as JSON longs and doubles)', async () => {
    const descriptor: SessionDescriptor = {
      name: 'LedgerSession',
      namespace: 'ledger',
      maxInactiveInterval: -1,
      attributes: {},
      patternAttributes: [],
      indexes: [
        { name: 'accountNumber', attribute: 'accountNumber', type: 'integer', column: 'account_number' },
        { name: 'verified', attribute: 'verified', type: 'boolean', column: 'verified' },
        { name: 'riskScore', attribute: 'riskScore', type: 'number', column: 'risk_score' },
      ],
      sql: { table: 'ledger_session' },
      redis: { keyPrefix: 'ledger:session' },
      hazelcast: { map: 'ledger.sessions', backupCount: 2 },
    };
    const store = await HazelcastSessionStore.open(descriptor, ledgerSessionHazelcastMapping, clientA, { expiryEvents: false });
    try {
      const account = 1_000_000 + Math.floor(Math.random() * 1_000_000_000);
      const id = randomUUID();
      const now = Date.now();
      await store.write({
        id,
        isNew: true,
        creationTime: now,
        lastAccessedTime: now,
        maxInactiveInterval: -1,
        expiresAt: null,
        set: { accountNumber: account, verified: true, riskScore: 0.25 },
        removed: [],
        indexes: { accountNumber: account, verified: true, riskScore: 0.25 },
        changedIndexes: ['accountNumber', 'verified', 'riskScore'],
        now,
      });
      const ids = async (name: string, value: number | boolean) =>
        (await store.findByIndex(descriptor.indexes.find((index) => index.name === name)!, value)).map((record) => record.id);
      expect(await ids('accountNumber', account)).toEqual([id]);
      expect(await ids('accountNumber', account + 1)).toEqual([]);
      expect(await ids('riskScore', 0.25)).toContain(id);
      expect(await ids('verified', true)).toContain(id);
      const map = await clientA.getMap<string, HazelcastJsonValue>('ledger.sessions');
      expect(Number((await map.getEntryView(id))!.ttl.toString())).toBe(NEVER);
      await store.delete(id);
    } finally {
      await store.close();
    }
  });
});

describe('per-entry TTL', () => {
  it('is the timeout on create, and the time left when lastAccessedTime is in the past', async () => {
    const fresh = repoA.createSession();
    await repoA.save(fresh);
    expect((await ttlOf(fresh.id)).ttl).toBe(1_800_000);
    const old = repoA.createSession();
    old.lastAccessedTime = Date.now() - 1_000_000;
    await repoA.save(old);
    const { ttl } = await ttlOf(old.id);
    expect(ttl).toBeGreaterThanOrEqual(799_000);
    expect(ttl).toBeLessThanOrEqual(801_000);
  });

  it('is reset on every save, follows a changed timeout, and is infinite for a negative one', async () => {
    const session = repoA.createSession();
    session.lastAccessedTime = Date.now() - 1_000_000;
    await repoA.save(session);
    const before = await ttlOf(session.id);
    const found = (await repoA.findById(session.id))!;
    found.lastAccessedTime = Date.now();
    found.set('tenantId', 'ttl');
    await repoA.save(found);
    const after = await ttlOf(session.id);
    expect(after.ttl).toBe(1_800_000);
    expect(after.expirationTime - before.expirationTime).toBeGreaterThan(990_000);

    const again = (await repoA.findById(session.id))!;
    again.maxInactiveInterval = 3600;
    again.lastAccessedTime = Date.now();
    await repoA.save(again);
    expect((await ttlOf(session.id)).ttl).toBe(3_600_000);

    const forever = (await repoA.findById(session.id))!;
    forever.maxInactiveInterval = -1;
    await repoA.save(forever);
    expect((await ttlOf(session.id)).ttl).toBe(NEVER);
    const back = (await repoA.findById(session.id))!;
    back.maxInactiveInterval = 1800;
    back.lastAccessedTime = Date.now();
    await repoA.save(back.set('tenantId', 'back'));
    expect((await ttlOf(session.id)).ttl).toBe(1_800_000);
  });

  it('a session saved with a negative timeout stays after an update without timeout change', async () => {
    const session = repoA.createSession();
    session.maxInactiveInterval = -1;
    await repoA.save(session);
    expect((await ttlOf(session.id)).ttl).toBe(NEVER);
    const found = (await repoA.findById(session.id))!;
    await repoA.save(found.set('tenantId', 'forever'));
    expect((await ttlOf(session.id)).ttl).toBe(NEVER);
  });

  it('the entry is gone from the member once its TTL runs out', async () => {
    const session = repoA.createSession();
    session.maxInactiveInterval = 1;
    await repoA.save(session);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await raw.containsKey(session.id)).toBe(false);
  });
});

describe('compare-and-set across two clients', () => {
  it('keeps all of 50 concurrent saves of different attributes made through two clients', async () => {
    const session = repoA.createSession().set('principalName', 'two-clients');
    await repoA.save(session);
    const copies = await Promise.all(
      Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? repoA : repoB).findById(session.id).then((copy) => ({ i, copy: copy! }))),
    );
    const outcomes = await Promise.all(copies.map(({ i, copy }) => (i % 2 === 0 ? repoA : repoB).save(copy.set(`draft:d${i}`, `value ${i}`))));
    expect(outcomes.every((outcome) => outcome === 'saved')).toBe(true);
    const found = (await repoB.findById(session.id))!;
    for (let i = 0; i < 50; i++) expect(found.get(`draft:d${i}`)).toBe(`value ${i}`);
    expect(found.get('principalName')).toBe('two-clients');
  });

  it('a save based on a stale cached value merges onto what the other client wrote', async () => {
    const session = repoA.createSession().set('roles', ['a']);
    await repoA.save(session);
    const staleOnA = (await repoA.findById(session.id))!;
    const onB = (await repoB.findById(session.id))!;
    await repoB.save(onB.set('tenantId', 'from-b'));
    await repoA.save(staleOnA.set('locale', 'fr-FR'));
    const found = (await repoA.findById(session.id))!;
    expect(found.attributesSnapshot()).toEqual({ roles: ['a'], tenantId: 'from-b', locale: 'fr-FR' });
  });

  it('an id change on one client and an attribute save on the other: the late save lands under the new id', async () => {
    const session = repoA.createSession().set('tenantId', 'move');
    await repoA.save(session);
    const onA = (await repoA.findById(session.id))!;
    const onB = (await repoB.findById(session.id))!;
    onA.changeSessionId();
    expect(await repoA.save(onA)).toBe('saved');
    expect(await repoB.save(onB.set('locale', 'de-DE'))).toBe('saved');
    expect(await repoB.findById(session.id)).toBeNull();
    expect(await repoB.findByIdOrMoved(session.id)).toBe('moved');
    const moved = (await repoB.findById(onA.id))!;
    expect(moved.get('tenantId')).toBe('move');
    expect(moved.get('locale')).toBe('de-DE');
  });
});
