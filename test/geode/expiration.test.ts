/**
 * The regions' own expiration, which cleans up where no store runs its sweep: a server of this
 * test's own from the generated cache.xml with one change, the expiring region's
 * `entry-time-to-live` cut from the schema's timeout plus grace (2,100 s) to 5 s so it can be seen.
 * Geode destroys an entry 5 s after its last write — session or marker — and each save (a
 * compare-and-set) starts the count again; the long region keeps its entries.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { geodeEntryTtlSeconds, GeodeSessionStore } from '@sessiongen/runtime/geode';
import { appSessionGeodeRegions as REGIONS } from '../../generated/geode/region.js';
import { appSessionDescriptor, AppSessionRepository } from '../../generated/index.js';
import { GENERATED_CACHE_XML, startGeodeServer, type RunningGeodeServer } from '../services/geode.js';

const TTL_SECONDS = 5;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let server: RunningGeodeServer | undefined;
let store: GeodeSessionStore | undefined;
let repo: AppSessionRepository;

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
