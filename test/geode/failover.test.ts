/**
 * Failover: two Geode servers in one cluster (each with its own locator), both from the generated
 * cache.xml (partitioned regions, one redundant copy); 2,000 sessions written, the server the store
 * talks to SIGKILLed, every session read back with its attributes through the other one (the store
 * moves to the next GEODE_URL when one cannot be reached), and writes go on. This test starts and
 * stops its own pair, apart from the global-setup server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GeodeSessionStore } from '@sessiongen/runtime/geode';
import { appSessionGeodeRegions } from '../../generated/geode/region.js';
import { appSessionDescriptor, AppSessionRepository, type AppSession } from '../../generated/index.js';
import { freePort } from '../services/port.js';
import { GENERATED_CACHE_XML, startGeodeServer, type RunningGeodeServer } from '../services/geode.js';

const SESSIONS = 2_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let first: RunningGeodeServer | undefined;
let second: RunningGeodeServer | undefined;
let store: GeodeSessionStore | undefined;
let repo: AppSessionRepository;

async function inBatches<T>(items: T[], size: number, run: (item: T, index: number) => Promise<void>): Promise<void> {
  for (let start = 0; start < items.length; start += size) {
    await Promise.all(items.slice(start, start + size).map((item, offset) => run(item, start + offset)));
  }
}

const attributesOf = (i: number) => ({
  principalName: `user-${i % 100}`,
  tenantId: `tenant-${i % 7}`,
  cart: [{ sku: `SKU-${i}`, quantity: (i % 9) + 1, unitPriceCents: i }],
  'draft:note': `note ${i} ✓`,
});

/** The REST-enabled servers the cluster reports, asked through `url`. */
async function restServers(url: string): Promise<string[]> {
  const response = await fetch(`${url}/servers`, { signal: AbortSignal.timeout(10_000) });
  return (await response.json()) as string[];
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(250);
  }
  throw new Error(`${what} within ${timeoutMs / 1000}s`);
}

beforeAll(async () => {
  first = await startGeodeServer({ cacheXml: GENERATED_CACHE_XML, name: 'failover-1' });
  second = await startGeodeServer({ cacheXml: GENERATED_CACHE_XML, name: 'failover-2', locatorPorts: [await freePort(), first.locatorPort] });
  await waitFor('the two servers did not form one cluster', async () => (await restServers(first!.url)).length === 2, 60_000);
  store = await GeodeSessionStore.open(appSessionDescriptor, appSessionGeodeRegions, [first.url, second.url], { sweepIntervalMs: false, requestTimeoutMs: 20_000 });
  repo = new AppSessionRepository(store);
}, 240_000);

afterAll(async () => {
  await store?.close();
  await second?.stop();
  await first?.stop();
}, 60_000);

describe('geode failover', () => {
  it(`loses none of ${SESSIONS} sessions when the server the store talks to is SIGKILLed, and goes on writing`, async () => {
    const sessions: AppSession[] = Array.from({ length: SESSIONS }, () => repo.createSession());
    await inBatches(sessions, 100, async (session, i) => {
      for (const [name, value] of Object.entries(attributesOf(i))) (session as unknown as { set(n: string, v: unknown): void }).set(name, value);
      expect(await repo.save(session)).toBe('saved');
    });
    const ids = sessions.map((session) => session.id);
    // A hundred of them moved to new ids (markers on one server or the other).
    await inBatches(ids.slice(0, 100), 50, async (id, i) => {
      const found = (await repo.findById(id))!;
      ids[i] = found.changeSessionId();
      expect(await repo.save(found)).toBe('saved');
    });
    expect(store!.rest.url).toBe(first!.url);

    await first!.kill();
    first = undefined;
    await waitFor('the survivor did not see the other server leave', async () => (await restServers(second!.url)).length === 1, 60_000);

    // Every session, with every attribute, through the survivor (its redundant copies now primary).
    await inBatches(ids, 100, async (id, i) => {
      const found = await repo.findById(id);
      expect(found, `session ${i}`).not.toBeNull();
      expect(found!.attributesSnapshot()).toEqual(attributesOf(i));
    });
    expect(store!.rest.url).toBe(second!.url);
    expect((await repo.findByPrincipalName('user-42')).size).toBe(SESSIONS / 100);
    let listed = 0;
    const ours = new Set(ids);
    for await (const id of repo.listIds()) if (ours.has(id)) listed++;
    expect(listed).toBe(SESSIONS);

    // Writes go on: updates of existing sessions and new ones, all read back.
    const updated = ids.slice(0, 300);
    await inBatches(updated, 50, async (id, i) => {
      const found = (await repo.findById(id))!;
      expect(await repo.save(found.set('locale', 'fr-FR').set('draft:after', `after ${i}`))).toBe('saved');
    });
    const fresh = Array.from({ length: 200 }, () => repo.createSession());
    await inBatches(fresh, 50, async (session, i) => {
      expect(await repo.save(session.set('tenantId', `rejoined-${i % 3}`))).toBe('saved');
    });
    await inBatches(updated, 100, async (id, i) => {
      const found = (await repo.findById(id))!;
      expect(found.get('locale')).toBe('fr-FR');
      expect(found.get('draft:after')).toBe(`after ${i}`);
      expect(found.get('principalName')).toBe(attributesOf(i).principalName);
    });
    for (const session of fresh) expect(await repo.findById(session.id)).not.toBeNull();
    expect((await repo.findByTenantId('rejoined-1')).size).toBe(fresh.filter((_, i) => i % 3 === 1).length);
  }, 240_000);
});
