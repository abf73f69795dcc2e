/**
 * Hostile ids (URL and OQL syntax, commas, newlines, 10 kB, lone surrogates, the empty string)
 * sent to every public method of the Geode store and through the demo's routes: an id the
 * repository could never have made never reaches the server; ids handed straight to the store
 * travel only as an encoded `keys=` value (never a path, never empty: `GET/DELETE /{region}`
 * without keys would read or clear the region); index values only as named-query arguments.
 * Every request the store makes is recorded (a spy around `fetch`: the requests still go out).
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieSessionIdResolver, HeaderSessionIdResolver, SessionStoreError, type SessionStore } from '@sessiongen/runtime';
import { GeodeSessionStore } from '@sessiongen/runtime/geode';
import { createDemoApp } from '../../examples/demo/app.js';
import { appSessionGeodeRegions as REGIONS } from '../../generated/geode/region.js';
import { AppSessionRepository, appSessionDescriptor } from '../../generated/index.js';

const HOSTILE = [
  '*',
  '?',
  'a,b',
  'a+b',
  '%2C',
  '%',
  '&keys=x',
  '#frag',
  '/..',
  'a\nb',
  '\r\n*',
  'x'.repeat(10_240),
  '\ud800\udfff\ud800',
  '\udc00',
  '\u00ff\u00fe',
  '',
  ' ',
  '../..',
  "' OR 1=1 --",
  '"); DROP',
  '$1',
  'SELECT * FROM /app-sessions',
  '\u0000',
];

interface Sent {
  method: string;
  url: URL;
  body: string | undefined;
}

let store: GeodeSessionStore;
let repo: AppSessionRepository;
let victimId: string;
const sent: Sent[] = [];

const recordingFetch: typeof fetch = (input, init) => {
  sent.push({ method: init?.method ?? 'GET', url: new URL(String(input)), body: typeof init?.body === 'string' ? init.body : undefined });
  return fetch(input, init);
};

beforeAll(async () => {
  store = await GeodeSessionStore.open(appSessionDescriptor, REGIONS, process.env.GEODE_URL!, { sweepIntervalMs: false, fetch: recordingFetch });
  repo = new AppSessionRepository(store);
  const victim = repo.createSession().set('principalName', 'alice').set('tenantId', 'acme');
  await repo.save(victim);
  victimId = victim.id;
});
afterAll(() => store?.close());

const victimIntact = async () => {
  const found = await repo.findById(victimId);
  expect(found?.get('principalName')).toBe('alice');
  expect([...(await repo.findByPrincipalName('alice')).keys()]).toContain(victimId);
};

/** Every request is a keyed entry call (`/{region}?keys=<one key>`) or a named query, never a region-wide one. */
function expectOnlyKeyedCallsAndQueries(requests: Sent[], allowedKeys: Set<string>): void {
  const base = new URL(process.env.GEODE_URL!).pathname;
  for (const request of requests) {
    const path = request.url.pathname.slice(base.length);
    if (path.startsWith('/queries/')) {
      expect(request.method).toBe('POST');
      expect(path).toMatch(/^\/queries\/sessiongen-[0-9a-f]{24}$/);
      expect(request.url.search).toBe('');
      continue;
    }
    expect([`/${REGIONS.region}`, `/${REGIONS.longRegion}`], path).toContain(path);
    expect(['GET', 'PUT', 'DELETE'], request.method).toContain(request.method);
    const keys = request.url.searchParams.getAll('keys');
    expect(keys, request.url.search.slice(0, 80)).toHaveLength(1);
    // What the server sees: the container decodes once (searchParams did), the REST app once more.
    const key = decodeURIComponent(keys[0]!);
    expect(key.length).toBeGreaterThan(0);
    expect(keys[0]).not.toContain(',');
    expect(allowedKeys.has(key), key.slice(0, 60)).toBe(true);
    expect([...request.url.searchParams.keys()].filter((name) => name !== 'keys' && name !== 'op')).toEqual([]);
  }
}

describe('hostile ids against the Geode store', () => {
  it('repository: findById / findByIdOrMoved / deleteById with an id it could not have made send nothing', async () => {
    sent.length = 0;
    for (const id of HOSTILE) {
      expect(await repo.findById(id)).toBeNull();
      expect(await repo.findByIdOrMoved(id)).toBeNull();
      await repo.deleteById(id);
    }
    expect(sent).toEqual([]);
    await victimIntact();
  });

  it('repository: index lookups with hostile values send them as query arguments only', async () => {
    sent.length = 0;
    for (const value of [...HOSTILE, 'ali*', 'alice"', "alice'"]) {
      expect([...(await repo.findByPrincipalName(value)).keys()], JSON.stringify(value.slice(0, 20))).toEqual([]);
      expect([...(await repo.findByTenantId(value)).keys()]).toEqual([]);
    }
    expect(sent.length).toBeGreaterThan(0);
    expectOnlyKeyedCallsAndQueries(sent, new Set());
    for (const request of sent) {
      const args = JSON.parse(request.body!) as Array<{ '@type': string; '@value': string }>;
      expect(args).toHaveLength(1);
      expect(args[0]!['@type']).toBe('String');
    }
    await victimIntact();
  });

  it('store: every public method takes a hostile id as one encoded key, or refuses it before the server', async () => {
    const hostileStore: SessionStore = store;
    sent.length = 0;
    const reachable = new Set<string>();
    for (const id of HOSTILE) {
      const keyable = id !== '' && !/[\ud800-\udfff]/.test(id.replace(/[\ud800-\udbff][\udc00-\udfff]/g, '')) && id.length < 1_000;
      if (keyable) for (const key of [id, `${id}-new`]) reachable.add(key);
      expect(await hostileStore.load(id)).toBeNull();
      expect(await hostileStore.delete(id)).toBe(false);
      expect(await hostileStore.isMoved!(id, Date.now())).toBe(false);
      const now = Date.now();
      const base = { creationTime: now, lastAccessedTime: now, maxInactiveInterval: 60, expiresAt: now + 60_000, now };
      const indexes = { principalName: 'mallory', tenantId: null };
      // An update of a session that does not exist writes nothing, whatever the id.
      expect(await hostileStore.write({ ...base, id, isNew: false, set: { tenantId: 'x' }, removed: [], indexes, changedIndexes: [] })).toBe('gone');
      // An id change from a hostile id that does not exist: nothing moves.
      expect(await hostileStore.write({ ...base, id: `${id}-new`, previousId: id, isNew: false, set: {}, removed: [], indexes, changedIndexes: [] })).toBe('gone');
    }
    // Creating under an id that cannot be a key in a URL is refused before the server.
    const before = sent.length;
    for (const id of ['', '\udc00', 'x'.repeat(10_240)]) {
      const now = Date.now();
      const create = { id, isNew: true, creationTime: now, lastAccessedTime: now, maxInactiveInterval: 60, expiresAt: now + 60_000, now, set: {}, removed: [], indexes: {}, changedIndexes: [] };
      await expect(hostileStore.write(create)).rejects.toThrow(SessionStoreError);
    }
    expect(sent.length).toBe(before);
    expectOnlyKeyedCallsAndQueries(sent, reachable);
    expect(sent.every((request) => request.method === 'GET')).toBe(true);
    expect(await repo.findByPrincipalName('mallory')).toEqual(new Map());
    await victimIntact();
  });

  it('store: sessions created under awkward (but keyable) ids round-trip as exactly those keys', async () => {
    for (const id of ['a,b', 'a+b c', '%2C%', '&keys=x', '#frag', '/..', "' OR 1=1 --", 'ünï ✓ 𝄞', 'a\nb']) {
      const now = Date.now();
      const write = { id, isNew: true, creationTime: now, lastAccessedTime: now, maxInactiveInterval: 60, expiresAt: now + 60_000, now, set: { tenantId: 'odd' }, removed: [], indexes: {}, changedIndexes: [] };
      expect(await store.write(write)).toBe('written');
      expect((await store.load(id))?.attributes, JSON.stringify(id)).toEqual({ tenantId: 'odd' });
      expect(await store.load(`${id}x`)).toBeNull();
      expect(await store.delete(id)).toBe(true);
      expect(await store.load(id)).toBeNull();
    }
    await victimIntact();
  });

  describe('through the demo routes', () => {
    const servers: Server[] = [];
    const bases: Record<'cookie' | 'header', string> = { cookie: '', header: '' };

    beforeAll(async () => {
      for (const kind of ['cookie', 'header'] as const) {
        const app = createDemoApp(repo, kind === 'cookie' ? new CookieSessionIdResolver() : new HeaderSessionIdResolver());
        const server = app.listen(0, '127.0.0.1');
        await new Promise<void>((resolve) => server.once('listening', resolve));
        servers.push(server);
        bases[kind] = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      }
    });
    afterAll(async () => {
      for (const server of servers) await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('hostile cookies, tokens and route ids: no 500, and no request reaches the server', async () => {
      sent.length = 0;
      const headerSafe = (value: string) => value.replace(/[\r\n\u0000]/g, '').replace(/[^\x20-\xff]/g, '?');
      for (const value of HOSTILE) {
        const label = JSON.stringify(value.slice(0, 24));
        const encoded = encodeURIComponent(value.replace(/[\ud800-\udfff]/g, '\ufffd'));
        const cookie = await fetch(`${bases.cookie}/api/session`, { headers: { cookie: `SESSION=${encoded}; SESSION=${headerSafe(value)}` } });
        expect([200, 431], label).toContain(cookie.status);
        if (cookie.status === 200) expect((await cookie.json()).id, label).toBeNull();
        const token = await fetch(`${bases.header}/api/session`, { headers: { 'x-auth-token': headerSafe(value) } });
        expect([200, 431], label).toContain(token.status);
        const revoke = await fetch(`${bases.cookie}/api/sessions/${encoded || '%20'}`, { method: 'DELETE' });
        expect(revoke.status, label).toBeLessThan(500);
        const logout = await fetch(`${bases.cookie}/api/logout`, { method: 'POST', headers: { cookie: `SESSION=${encoded}` } });
        expect(logout.status, label).toBeLessThan(500);
      }
      expect(sent.map((request) => `${request.method} ${request.url.pathname}`)).toEqual([]);
      await victimIntact();
    });
  });
});
