/**
 * Expiry on a server of this test's own (a sweep takes every expired session of the regions, so it
 * cannot share the global-setup server with the conformance suite's expired events): the generated
 * cache.xml with one change, the expiring region's `entry-time-to-live` cut from the schema's
 * timeout plus grace (2,100 s) to 5 s so it can be seen.
 *
 * - The regions' own expiration, which cleans up where no store sweeps: Geode destroys an entry 5 s
 *   after its last write — session or marker — and each save (a compare-and-set) starts the count
 *   again; the long region keeps its entries.
 * - The store's sweep on two instances at once: each expired session reported once, in both
 *   regions; markers removed once past their time.
 * - The REST API's compare-and-set on a missing key (200, nothing written), and a save from a copy
 *   whose session's key was swept away: nothing written.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { geodeEntryTtlSeconds, GeodeSessionStore, type GeodeStoreOptions } from '@sessiongen/runtime/geode';
import { appSessionGeodeRegions as REGIONS } from '../../generated/geode/region.js';
import { appSessionDescriptor, AppSessionRepository, type AppSession } from '../../generated/index.js';
import { GENERATED_CACHE_XML, startGeodeServer, type RunningGeodeServer } from '../services/geode.js';

const TTL_SECONDS = 5;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let server: RunningGeodeServer | undefined;
let store: GeodeSessionStore | undefined;
let repo: AppSessionRepository;
const others: GeodeSessionStore[] = [];
const open = async (options: GeodeStoreOptions) => {
  const opened = await GeodeSessionStore.open(appSessionDescriptor, REGIONS, server!.url, { sweepIntervalMs: false, ...options });
  others.push(opened);
  return opened;
};
const saved = async (on: AppSessionRepository, setup?: (session: AppSession) => void) => {
  const session = on.createSession();
  setup?.(session);
  expect(await on.save(session)).toBe('saved');
  return session;
};
const url = () => server!.url;

const raw = async (region: string, id: string) => {
  const response = await fetch(`${server!.url}/${region}?keys=${encodeURIComponent(encodeURIComponent(id))}`);
  return response.status === 404 ? null : ((await response.json()) as Record<string, unknown>);
};

async function waitGone(region: string, id: string, withinMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < withinMs) {
    if ((await raw(region, id)) === null) return Date.now() - started;
    await sleep(100);
  }
  throw new Error(`${id} still in ${region} after ${withinMs} ms`);
}

beforeAll(async () => {
  const generated = readFileSync(GENERATED_CACHE_XML, 'utf8');
  const ttl = `<expiration-attributes timeout="${geodeEntryTtlSeconds(appSessionDescriptor.maxInactiveInterval)}" action="destroy"/>`;
  expect(generated).toContain(ttl);
  mkdirSync(resolve('.test-results/geode'), { recursive: true });
  const cacheXml = resolve('.test-results/geode/cache-short-ttl.xml');
  writeFileSync(cacheXml, generated.replace(ttl, `<expiration-attributes timeout="${TTL_SECONDS}" action="destroy"/>`));
  server = await startGeodeServer({ cacheXml, name: 'expiration' });
  store = await GeodeSessionStore.open(appSessionDescriptor, REGIONS, server.url, { sweepIntervalMs: false });
  repo = new AppSessionRepository(store);
}, 240_000);

afterAll(async () => {
  for (const opened of others) await opened.close();
  await store?.close();
  await server?.stop();
}, 60_000);

describe('geode region expiration', () => {
  it('destroys an expiring-region entry its TTL after the last write, with no sweep running', async () => {
    const session = repo.createSession().set('tenantId', 'ttl');
    await repo.save(session);
    expect(await raw(REGIONS.region, session.id)).toMatchObject({ entry_state: 'live' });
    const took = await waitGone(REGIONS.region, session.id, (TTL_SECONDS + 10) * 1000);
    expect(took).toBeGreaterThan((TTL_SECONDS - 1) * 1000);
  }, 30_000);

  it('each save starts the count again; a deleted session\'s marker goes the same way; the long region keeps its entries', async () => {
    const busy = repo.createSession();
    await repo.save(busy);
    const never = repo.createSession();
    never.maxInactiveInterval = -1;
    await repo.save(never);
    const deleted = repo.createSession();
    await repo.save(deleted);
    await repo.deleteById(deleted.id);
    expect(await raw(REGIONS.region, deleted.id)).toMatchObject({ entry_state: 'deleted' });

    const started = Date.now();
    for (let i = 0; Date.now() - started < (TTL_SECONDS + 2) * 1000; i++) {
      const found = (await repo.findById(busy.id))!;
      expect(await repo.save(found.set('draft:tick', `t${i}`))).toBe('saved');
      await sleep(700);
    }
    expect(await raw(REGIONS.region, busy.id)).toMatchObject({ entry_state: 'live' });
    expect(await raw(REGIONS.region, deleted.id)).toBeNull();
    await waitGone(REGIONS.region, busy.id, (TTL_SECONDS + 10) * 1000);
    expect(await repo.findById(busy.id)).toBeNull();
    expect(await raw(REGIONS.longRegion, never.id)).toMatchObject({ entry_state: 'live' });
    expect(await repo.findById(never.id)).not.toBeNull();
  }, 45_000);
});

describe('compare-and-set on a missing key', () => {
  it('the REST API answers 200 without writing; the store re-reads a base older than baseMaxAgeMs, so it never relies on that', async () => {
    const id = `missing-${randomUUID()}`;
    const body = JSON.stringify({ '@old': { x: 1 }, '@new': { x: 2 } });
    const cas = await fetch(`${url()}/${REGIONS.region}?keys=${id}&op=CAS`, { method: 'PUT', body, headers: { 'content-type': 'application/json' } });
    expect(cas.status).toBe(200);
    expect(await raw(REGIONS.region, id)).toBeNull();

    // A store whose markers go after 600 ms: the deleted session's marker is swept, its key is gone,
    // and a save from a copy read before (its base now older than 250 ms) still writes nothing.
    const quick = await open({ baseMaxAgeMs: 250, markerMs: 600 });
    const repo = new AppSessionRepository(quick);
    const session = await saved(repo);
    const copy = (await repo.findById(session.id))!;
    await repo.deleteById(session.id);
    await sleep(700);
    await quick.sweepExpired();
    expect(await raw(REGIONS.region, session.id)).toBeNull();
    expect(await repo.save(copy.set('tenantId', 'late'))).toBe('gone');
    expect(await raw(REGIONS.region, session.id)).toBeNull();
    expect(await raw(REGIONS.longRegion, session.id)).toBeNull();
  });
});

describe('the sweep', () => {
  it('on two instances at once reports each expired session once, in both regions, and removes old markers', async () => {
    const quickA = await open({ markerMs: 11_000 });
    const quickB = await open({ markerMs: 11_000 });
    const expired: string[] = [];
    quickA.onExpired((id) => expired.push(id));
    quickB.onExpired((id) => expired.push(id));
    const repo = new AppSessionRepository(quickA);
    const ours = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const session = repo.createSession();
        session.maxInactiveInterval = i % 3 === 0 ? 86_400 : 1;
        await repo.save(session);
        if (i % 3 === 0) {
          // In the long region for its timeout; then saved as last used a day ago (it stays there).
          const found = (await repo.findById(session.id))!;
          found.lastAccessedTime = Date.now() - 86_401_000;
          await repo.save(found);
        }
        return session.id;
      }),
    );
    await sleep(1_100);
    await Promise.all([quickA.sweepExpired(), quickB.sweepExpired()]);
    const reported = expired.filter((id) => ours.includes(id));
    expect(reported.sort()).toEqual([...ours].sort());
    for (const [i, id] of ours.entries()) expect(await raw(i % 3 === 0 ? REGIONS.longRegion : REGIONS.region, id)).toMatchObject({ entry_state: 'expired' });
    // The markers go once they are older than markerMs.
    await quickA.sweepExpired(Date.now() + 11_000);
    for (const [i, id] of ours.entries()) expect(await raw(i % 3 === 0 ? REGIONS.longRegion : REGIONS.region, id)).toBeNull();
    expect(expired.filter((id) => ours.includes(id))).toHaveLength(30);
  }, 30_000);
});
