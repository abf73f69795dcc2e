/** The demo app over real sockets, on every store it can run on (DESIGN, "The demo app"). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemorySessionStore } from '@sessiongen/runtime';
import { createDemoApp } from '../../examples/demo/app.js';
import { startDemo } from '../../examples/demo/server.js';
import { AppSessionRepository, appSessionDescriptor } from '../../generated/index.js';
import { FailingStore } from './failing-store.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const temp = mkdtempSync(join(tmpdir(), 'sessiongen-demo-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** The stores the demo is tested on, with the environment each needs. */
const run = `demo${process.pid}`;
const STORES: Array<[string, Record<string, string>]> = [
  ['sqlite', { DATABASE_URL: join(temp, 'demo.db') }],
  ['memory', {}],
  ['postgres', { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test' }],
  ['mariadb', { DATABASE_URL: 'mysql://root@127.0.0.1:3306/test' }],
  // MySQL itself is not on these machines: MariaDB stands in, and the server decides the dialect.
  ['mysql', { DATABASE_URL: 'mysql://root@127.0.0.1:3306/test' }],
  ['redis', { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: `${run}:session` }],
  ['redis-cluster', { REDIS_KEY_PREFIX: `${run}:session` }],
  ['hazelcast', {}],
  // GEODE_URL: the server the global setup started from generated/geode/cache.xml. No sweep: the
  // conformance suite's expired events come from its own store's sweep of the same regions.
  ['geode', { GEODE_SWEEP_INTERVAL_MS: '0' }],
  // SESSION_COMPAT=spring: Spring Session's layouts and its base64 cookie, under names of the tests' own.
  ['redis', { SESSION_COMPAT: 'spring', REDIS_URL: 'redis://127.0.0.1:6379', SPRING_SESSION_NAMESPACE: `spring:session:${run}` }],
  ['postgres', { SESSION_COMPAT: 'spring', DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test', SPRING_SESSION_TABLE: 'SG_DEMO_SPRING_SESSION' }],
  ['mariadb', { SESSION_COMPAT: 'spring', DATABASE_URL: 'mysql://root@127.0.0.1:3306/test', SPRING_SESSION_TABLE: 'SG_DEMO_SPRING_SESSION' }],
  ['sqlite', { SESSION_COMPAT: 'spring', DATABASE_URL: join(temp, 'spring.db') }],
];

/** A cookie-keeping client for one browser. */
class Browser {
  cookie: string | undefined;
  constructor(
    readonly base: string,
    readonly userAgent?: string,
  ) {}
  /** The session id the cookie names: the value itself, or in Spring's base64 form (SESSION_COMPAT=spring) its decoding. */
  get sessionId(): string | undefined {
    const value = this.cookie?.slice('SESSION='.length);
    return value === undefined || /^[0-9a-f-]{36}$/.test(value) ? value : Buffer.from(value, 'base64').toString('utf8');
  }
  async send(method: string, path: string, body?: string, headers: Record<string, string> = {}) {
    const response = await fetch(this.base + path, {
      method,
      redirect: 'manual',
      headers: {
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(this.userAgent ? { 'user-agent': this.userAgent } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body }),
    });
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) {
      const pair = setCookie.split(';')[0]!;
      this.cookie = /Max-Age=0/i.test(setCookie) ? undefined : pair;
    }
    const text = await response.text();
    return { status: response.status, setCookie, retryAfter: response.headers.get('retry-after'), json: text ? JSON.parse(text) : undefined };
  }
}

for (const [store, env] of STORES) {
  const spring = env.SESSION_COMPAT === 'spring';
  describe(`demo on ${store}${spring ? ", Spring Session's layout" : ''}`, () => {
    let demo: Awaited<ReturnType<typeof startDemo>>;
    let base: string;
    beforeAll(async () => {
      demo = await startDemo({ ...process.env, ...env, SESSION_STORE: store, PORT: '0' });
      base = `http://127.0.0.1:${demo.port}`;
    }, 120_000);
    afterAll(async () => demo?.close(), 60_000);

    it('GET /api/session without a session: id null, no cookie, nothing stored', async () => {
      const browser = new Browser(base);
      const response = await browser.send('GET', '/api/session');
      expect(response.status).toBe(200);
      expect(response.json).toEqual({ id: null, creationTime: null, lastAccessedTime: null, maxInactiveInterval: null, attributes: {} });
      expect(response.setCookie).toBeNull();
    });

    it('PUT stores any JSON value (bare string and number too) and GET shows it', async () => {
      const browser = new Browser(base);
      expect((await browser.send('PUT', '/api/session/attributes/tenantId', '"acme"')).status).toBe(204);
      expect(browser.cookie).toMatch(spring ? /^SESSION=[A-Za-z0-9+/]{48}$/ : /^SESSION=[0-9a-f-]{36}$/);
      expect((await browser.send('PUT', '/api/session/attributes/lastLoginAt', '1700000000000')).status).toBe(204);
      const cart = [{ sku: 'ABC-1', quantity: 2, unitPriceCents: 250 }];
      expect((await browser.send('PUT', '/api/session/attributes/cart', JSON.stringify(cart))).status).toBe(204);
      const { json } = await browser.send('GET', '/api/session');
      expect(json.id).toBe(browser.sessionId);
      expect(json.maxInactiveInterval).toBe(1800);
      expect(json.attributes).toEqual({ tenantId: 'acme', lastLoginAt: 1_700_000_000_000, cart });
      expect(typeof json.creationTime).toBe('number');
    });

    it('PUT of a value or name the schema rejects: 400 { error, path }, nothing stored, no session made', async () => {
      const browser = new Browser(base);
      const bad = await browser.send('PUT', '/api/session/attributes/cart', '[{"sku":"ABC-1","quantity":0,"unitPriceCents":1}]');
      expect(bad.status).toBe(400);
      expect(bad.json.path).toBe('/cart/0/quantity');
      expect(bad.json.error).toMatch(/quantity/);
      expect(bad.setCookie).toBeNull();
      const unknown = await browser.send('PUT', '/api/session/attributes/isAdmin', 'true');
      expect(unknown.status).toBe(400);
      expect(unknown.json.path).toBe('/isAdmin');
      const notJson = await browser.send('PUT', '/api/session/attributes/tenantId', 'acme');
      expect(notJson.status).toBe(400);
      expect(browser.cookie).toBeUndefined();
      await browser.send('PUT', '/api/session/attributes/tenantId', '"kept"');
      expect((await browser.send('PUT', '/api/session/attributes/tenantId', '"Not Valid"')).status).toBe(400);
      expect((await browser.send('GET', '/api/session')).json.attributes).toEqual({ tenantId: 'kept' });
    });

    it('growth ends in 413 { error, path }: 20 kB drafts stop at the 64 KiB limit and the session stays bounded', async () => {
      const browser = new Browser(base);
      const draft = JSON.stringify('x'.repeat(20_000));
      const statuses: number[] = [];
      let refused: { error: string; path: string } | undefined;
      for (let i = 0; i < 12; i++) {
        const response = await browser.send('PUT', `/api/session/attributes/draft:d${i}`, draft);
        statuses.push(response.status);
        if (response.status === 413) refused ??= response.json;
      }
      expect(statuses).toEqual([204, 204, 204, ...Array(9).fill(413)]);
      expect(refused).toEqual({ error: expect.stringMatching(/would take \d+ bytes, over its limit of 65536/), path: '/draft:d3' });
      const response = await fetch(`${base}/api/session`, { headers: { cookie: browser.cookie! } });
      const body = await response.text();
      expect(body.length).toBeLessThan(65_536 + 1_024);
      expect(Object.keys(JSON.parse(body).attributes).sort()).toEqual(['draft:d0', 'draft:d1', 'draft:d2']);
      // Not growing is still allowed: a draft replaced by a shorter one, or removed.
      expect((await browser.send('PUT', '/api/session/attributes/draft:d0', '"short"')).status).toBe(204);
      expect((await browser.send('DELETE', '/api/session/attributes/draft:d1')).status).toBe(204);
      expect((await browser.send('PUT', '/api/session/attributes/draft:d3', draft)).status).toBe(204);
    });

    it('values not every store can hold (U+0000, lone surrogates, nested too) are 400 { error, path } on every store', async () => {
      const browser = new Browser(base);
      await browser.send('PUT', '/api/session/attributes/tenantId', '"kept"');
      const cases: Array<[string, string, string]> = [
        ['draft:nul', '"a\\u0000b"', '/draft:nul'],
        ['draft:high', '"a\\ud800b"', '/draft:high'],
        ['draft:low', '"\\udc00"', '/draft:low'],
        ['cart', '[{"sku":"ABC-1","quantity":1,"unitPriceCents":1,"note":"x\\u0000"}]', '/cart/0/note'],
        ['roles', '["ok","\\udfff"]', '/roles/1'],
      ];
      for (const [name, body, path] of cases) {
        const response = await browser.send('PUT', `/api/session/attributes/${name}`, body);
        expect(response.status, name).toBe(400);
        expect(response.json, name).toEqual({ error: expect.stringMatching(/not every session store can keep/), path });
      }
      expect((await browser.send('GET', '/api/session')).json.attributes).toEqual({ tenantId: 'kept' });
    });

    it('DELETE removes one attribute', async () => {
      const browser = new Browser(base);
      await browser.send('PUT', '/api/session/attributes/tenantId', '"a"');
      await browser.send('PUT', '/api/session/attributes/draft:note', '"text"');
      expect((await browser.send('DELETE', '/api/session/attributes/tenantId')).status).toBe(204);
      expect((await browser.send('GET', '/api/session')).json.attributes).toEqual({ 'draft:note': 'text' });
    });

    it('login sets the principal and changes the id; the caller lists its own sessions, revokes one, logs out', async () => {
      const principal = `user-${store}-${Date.now()}`;
      const browser = new Browser(base);
      await browser.send('PUT', '/api/session/attributes/tenantId', '"t1"');
      const before = browser.cookie;
      const login = await browser.send('POST', '/api/login', JSON.stringify({ principalName: principal }));
      expect(login.status).toBe(200);
      expect(browser.sessionId).toBe(login.json.id);
      expect(browser.cookie).not.toBe(before);
      const other = new Browser(base);
      await other.send('POST', '/api/login', JSON.stringify({ principalName: principal }));
      const listed = await browser.send('GET', '/api/sessions');
      expect(listed.status).toBe(200);
      expect(listed.json.map((s: { id: string }) => s.id).sort()).toEqual([login.json.id, other.sessionId!].sort());
      expect(Object.keys(listed.json[0]).sort()).toEqual(['creationTime', 'current', 'device', 'expiresAt', 'id', 'lastAccessedTime']);
      const named = await browser.send('GET', `/api/sessions?principalName=${principal}`);
      expect(named.json.map((s: { id: string }) => s.id)).toEqual(listed.json.map((s: { id: string }) => s.id));
      const session = await browser.send('GET', '/api/session');
      expect(session.json.attributes.principalName).toBe(principal);
      expect(session.json.attributes.tenantId).toBe('t1');

      expect((await browser.send('DELETE', `/api/sessions/${other.sessionId!}`)).status).toBe(204);
      expect((await other.send('GET', '/api/session')).json.id).toBeNull();

      const logout = await browser.send('POST', '/api/logout');
      expect(logout.status).toBe(204);
      expect(logout.setCookie).toMatch(/^SESSION=; .*Max-Age=0/);
      const third = new Browser(base);
      await third.send('POST', '/api/login', JSON.stringify({ principalName: principal }));
      expect((await third.send('GET', '/api/sessions')).json.map((s: { id: string }) => s.id)).toEqual([third.sessionId!]);
    });

    it('GET /api/sessions: 401 without a login, 403 for another principal, never another principal\'s sessions', async () => {
      const alice = new Browser(base);
      const bob = new Browser(base);
      await alice.send('POST', '/api/login', JSON.stringify({ principalName: `alice-${store}-${Date.now()}` }));
      const bobName = `bob-${store}-${Date.now()}`;
      await bob.send('POST', '/api/login', JSON.stringify({ principalName: bobName }));

      const anonymous = await new Browser(base).send('GET', `/api/sessions?principalName=${bobName}`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.json).toEqual({ error: expect.stringMatching(/log in/), path: '' });
      expect((await new Browser(base).send('GET', '/api/sessions')).status).toBe(401);
      // A session without a login (attributes only) is not a login either.
      const guest = new Browser(base);
      await guest.send('PUT', '/api/session/attributes/tenantId', '"guest"');
      expect((await guest.send('GET', '/api/sessions')).status).toBe(401);

      const forbidden = await alice.send('GET', `/api/sessions?principalName=${bobName}`);
      expect(forbidden.status).toBe(403);
      expect(forbidden.json.path).toBe('/principalName');
      const own = await alice.send('GET', '/api/sessions');
      expect(own.json.map((s: { id: string }) => s.id)).toEqual([alice.sessionId!]);
    });

    it('DELETE /api/sessions/:id revokes only the caller\'s own principal\'s sessions: 404 for any other id', async () => {
      const alice = new Browser(base);
      const bob = new Browser(base);
      const aliceName = `alice-${store}-${Date.now()}`;
      await alice.send('POST', '/api/login', JSON.stringify({ principalName: aliceName }));
      await bob.send('POST', '/api/login', JSON.stringify({ principalName: `bob-${store}-${Date.now()}` }));
      const bobId = bob.sessionId!;

      expect((await new Browser(base).send('DELETE', `/api/sessions/${bobId}`)).status).toBe(401);
      const notYours = await alice.send('DELETE', `/api/sessions/${bobId}`);
      expect(notYours.status).toBe(404);
      expect(notYours.json).toEqual({ error: 'no such session of yours', path: '' });
      expect((await bob.send('GET', '/api/session')).json.id).toBe(bobId);
      expect((await alice.send('DELETE', '/api/sessions/0d8f5d0e-3b7e-4c39-9d46-1f2a3b4c5d6e')).status).toBe(404);
      expect((await alice.send('DELETE', '/api/sessions/not-an-id')).status).toBe(404);
      // A guest session (no principal) is no one's to revoke.
      const guest = new Browser(base);
      await guest.send('PUT', '/api/session/attributes/tenantId', '"guest"');
      expect((await alice.send('DELETE', `/api/sessions/${guest.sessionId!}`)).status).toBe(404);
      expect((await guest.send('GET', '/api/session')).json.attributes).toEqual({ tenantId: 'guest' });

      // Revoking one's own current session logs out: the cookie is cleared.
      const self = await alice.send('DELETE', `/api/sessions/${alice.sessionId!}`);
      expect(self.status).toBe(204);
      expect(self.setCookie).toMatch(/^SESSION=; .*Max-Age=0/);
      expect(alice.cookie).toBeUndefined();
    });

    it('GET /api/sessions shows the caller\'s sessions with their devices; POST /api/sessions/revoke-others ends all but the caller\'s', async () => {
      const principal = `devices-${store}-${Date.now()}`;
      const laptop = new Browser(base, 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Firefox/128.0');
      const phone = new Browser(base, 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Mobile/15E148');
      const tablet = new Browser(base, 'Mozilla/5.0 (iPad) Safari/605.1.15');
      const bystander = new Browser(base);
      for (const browser of [laptop, phone, tablet]) await browser.send('POST', '/api/login', JSON.stringify({ principalName: principal }));
      await bystander.send('POST', '/api/login', JSON.stringify({ principalName: `${principal}-other` }));
      const id = (browser: Browser) => browser.sessionId!;

      const listed = await phone.send('GET', '/api/sessions');
      expect(listed.status).toBe(200);
      expect(listed.json.map((s: { id: string }) => s.id).sort()).toEqual([id(laptop), id(phone), id(tablet)].sort());
      for (const browser of [laptop, phone, tablet]) {
        const entry = listed.json.find((s: { id: string }) => s.id === id(browser));
        expect(entry).toEqual({
          id: id(browser),
          current: browser === phone,
          creationTime: expect.any(Number),
          lastAccessedTime: expect.any(Number),
          expiresAt: entry.lastAccessedTime + 1_800_000,
          device: { userAgent: browser.userAgent, address: '127.0.0.1', lastSeen: expect.any(Number) },
        });
      }
      expect(JSON.stringify(listed.json)).not.toContain('attributes');

      expect((await new Browser(base).send('POST', '/api/sessions/revoke-others')).status).toBe(401);
      const revoked = await phone.send('POST', '/api/sessions/revoke-others');
      expect(revoked.status).toBe(200);
      expect(revoked.json).toEqual({ revoked: [id(laptop), id(tablet)].sort() });
      expect(revoked.setCookie).toBeNull();
      expect((await laptop.send('GET', '/api/session')).json.id).toBeNull();
      expect((await tablet.send('GET', '/api/session')).json.id).toBeNull();
      expect((await phone.send('GET', '/api/sessions')).json.map((s: { id: string }) => s.id)).toEqual([id(phone)]);
      expect((await bystander.send('GET', '/api/session')).json.id).toBe(id(bystander));
      expect((await phone.send('POST', '/api/sessions/revoke-others')).json).toEqual({ revoked: [] });
    });

    it('the principal is set only by login: PUT and DELETE of principalName are 403', async () => {
      const browser = new Browser(base);
      const put = await browser.send('PUT', '/api/session/attributes/principalName', '"mallory"');
      expect(put.status).toBe(403);
      expect(put.json.path).toBe('/principalName');
      expect(put.setCookie).toBeNull();
      await browser.send('POST', '/api/login', JSON.stringify({ principalName: `carol-${store}` }));
      expect((await browser.send('DELETE', '/api/session/attributes/principalName')).status).toBe(403);
      expect((await browser.send('GET', '/api/session')).json.attributes.principalName).toBe(`carol-${store}`);
    });

    it('errors are JSON without a stack trace: malformed JSON, unknown routes and methods, bad URLs', async () => {
      const browser = new Browser(base);
      const cases: Array<[string, string, string | undefined, number]> = [
        ['POST', '/api/login', '{"principalName":', 400],
        ['POST', '/api/login', '[]', 400],
        ['PUT', '/api/session/attributes/tenantId', '{', 400],
        ['GET', '/nowhere', undefined, 404],
        ['PATCH', '/api/session', '{}', 404],
        ['DELETE', '/api/sessions/%E0%A4%A', undefined, 400],
        ['POST', '/api/login', JSON.stringify({ principalName: 'x'.repeat(20_000) }), 413],
      ];
      for (const [method, path, body, status] of cases) {
        const response = await fetch(base + path, { method, ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } }) });
        const text = await response.text();
        const label = `${method} ${path}`;
        expect(response.status, label).toBe(status);
        expect(response.headers.get('content-type'), label).toMatch(/^application\/json/);
        const json = JSON.parse(text);
        expect(typeof json.error, label).toBe('string');
        expect(text, label).not.toMatch(/\bat .+:\d+:\d+|node_modules|\.ts:/);
      }
      expect(browser.cookie).toBeUndefined();
    });

    it('keeps all of 50 concurrent attribute writes on one session', async () => {
      const browser = new Browser(base);
      await browser.send('PUT', '/api/session/attributes/tenantId', '"concurrent"');
      const statuses = await Promise.all(
        Array.from({ length: 50 }, (_, i) => browser.send('PUT', `/api/session/attributes/draft:form-${i}`, JSON.stringify(`draft ${i}`))),
      );
      expect(statuses.map((r) => r.status)).toEqual(Array(50).fill(204));
      const { json } = await browser.send('GET', '/api/session');
      const drafts = Object.keys(json.attributes).filter((name) => name.startsWith('draft:'));
      expect(drafts).toHaveLength(50);
      for (let i = 0; i < 50; i++) expect(json.attributes[`draft:form-${i}`]).toBe(`draft ${i}`);
    });

    it('PUTs racing a login: every 204 is stored, none clears or replaces the cookie, the browser ends logged in', async () => {
      // One browser (one cookie jar), CLIENTS connections each sending PUTS drafts in turn, and a
      // login (which changes the id) fired once a few PUTs have landed. A PUT answered 409 (its
      // id had just been changed) is sent again after its Retry-After, as a client would. Every
      // PUT is a draft of its own, and the schema allows 50 drafts per session: 10 × 5.
      const CLIENTS = 10;
      const PUTS = 5;
      const browser = new Browser(base);
      await browser.send('PUT', '/api/session/attributes/tenantId', '"race"');
      const oldCookie = browser.cookie!;
      const principal = `racer-${store}-${Date.now()}`;
      const acknowledged: string[] = [];
      const setCookies: string[] = [];
      const statuses = new Map<number, number>();
      let landed = 0;
      let login: Promise<Awaited<ReturnType<Browser['send']>>> | undefined;
      const put = async (name: string) => {
        for (let attempt = 0; attempt < 50; attempt++) {
          const response = await browser.send('PUT', `/api/session/attributes/${name}`, JSON.stringify(name));
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          if (response.setCookie) setCookies.push(response.setCookie);
          if (response.status === 204) {
            acknowledged.push(name);
            if (++landed === CLIENTS) login = browser.send('POST', '/api/login', JSON.stringify({ principalName: principal }));
            return;
          }
          expect(response.status, JSON.stringify(response.json)).toBe(409);
          expect(response.json.reason).toBe('moved');
          await sleep(Number(response.retryAfter) * 1000 * 0.05);
        }
        throw new Error(`${name} never landed`);
      };
      await Promise.all(
        Array.from({ length: CLIENTS }, async (_, client) => {
          for (let i = 0; i < PUTS; i++) await put(`draft:c${client}-${i}`);
        }),
      );
      const loggedIn = await login!;
      expect(loggedIn.status).toBe(200);
      const { json } = await browser.send('GET', '/api/session');
      const missing = acknowledged.filter((name) => json.attributes[name] !== name);
      console.log(
        `demo on ${store}: ${acknowledged.length} PUTs acknowledged, ${missing.length} of them missing; replies ${JSON.stringify(Object.fromEntries(statuses))}`,
      );
      expect(missing).toEqual([]);
      expect(acknowledged).toHaveLength(CLIENTS * PUTS);
      expect(setCookies).toEqual([]);
      expect(browser.sessionId).toBe(loggedIn.json.id);
      expect(json.id).toBe(loggedIn.json.id);
      expect(json.attributes.principalName).toBe(principal);
      expect(json.attributes.tenantId).toBe('race');

      // Arriving with the old id after the change: a retryable 409, nothing read, stored or created.
      const late = new Browser(base);
      late.cookie = oldCookie;
      const stale = await late.send('PUT', '/api/session/attributes/draft:late', '"late"');
      expect(stale.status).toBe(409);
      expect(stale.retryAfter).toBe('1');
      expect(stale.setCookie).toBeNull();
      expect(stale.json).toMatchObject({ reason: 'moved', status: 409 });
      const peek = await late.send('GET', '/api/session');
      expect(peek.status).toBe(409);
      expect(JSON.stringify(peek.json)).not.toContain(loggedIn.json.id);
      expect((await browser.send('GET', '/api/session')).json.attributes['draft:late']).toBeUndefined();
    }, 30_000);

    it('hostile cookies and ids never give a 500', async () => {
      const login = new Browser(base);
      await login.send('POST', '/api/login', JSON.stringify({ principalName: `dave-${store}` }));
      const loggedIn = login.cookie!;
      const hostile = ['*', '[a-z]*', 'x'.repeat(10_240), '%00%0a', 'a,b', '"quoted"', '\u00ff\u00fe', '{slot}', "'; DROP TABLE app_session; --"];
      for (const value of hostile) {
        const response = await fetch(`${base}/api/session`, { headers: { cookie: `SESSION=${encodeURIComponent(value)}; SESSION=${value.replace(/[^\x21-\x7e]/g, '')}` } });
        const label = value.slice(0, 24);
        // Node itself answers 431 to a header over its limit; anything else reaches the app.
        expect([200, 431], label).toContain(response.status);
        if (response.status === 200) expect((await response.json()).id, label).toBeNull();
        const revoke = await fetch(`${base}/api/sessions/${encodeURIComponent(value)}`, { method: 'DELETE', headers: { cookie: loggedIn } });
        expect([400, 404], label).toContain(revoke.status);
        const listed = await fetch(`${base}/api/sessions?principalName=${encodeURIComponent(value)}`, { headers: { cookie: loggedIn } });
        expect(listed.status, label).toBe(403);
      }
    });
  });
}

for (const [store, env] of STORES) {
  const spring = env.SESSION_COMPAT === 'spring';
  describe(`demo on ${store}${spring ? ", Spring Session's layout," : ''} with SESSION_MAX_PER_PRINCIPAL, SESSION_ABSOLUTE_TIMEOUT_S and SESSION_TOUCH_INTERVAL_S`, () => {
    // One demo ends the least recently used sessions past 2 and writes a request's access once per
    // 60 s; the other refuses a login past 1 and ends sessions 3 s after creation.
    let lru: Awaited<ReturnType<typeof startDemo>>;
    let refuse: Awaited<ReturnType<typeof startDemo>>;
    const url = (demo: typeof lru) => `http://127.0.0.1:${demo.port}`;
    beforeAll(async () => {
      const common = { ...process.env, ...env, SESSION_STORE: store, PORT: '0' };
      lru = await startDemo({ ...common, SESSION_MAX_PER_PRINCIPAL: '2', SESSION_TOUCH_INTERVAL_S: '60' });
      refuse = await startDemo({ ...common, SESSION_MAX_PER_PRINCIPAL: '1', SESSION_MAX_PER_PRINCIPAL_POLICY: 'refuse', SESSION_ABSOLUTE_TIMEOUT_S: '3' });
    }, 120_000);
    afterAll(async () => {
      await lru?.close();
      await refuse?.close();
    }, 60_000);

    it('a third login ends the least recently used of the principal\'s two sessions', async () => {
      const principal = `lru-${store}-${Date.now()}`;
      const [first, second, third] = [new Browser(url(lru)), new Browser(url(lru)), new Browser(url(lru))];
      await first.send('POST', '/api/login', JSON.stringify({ principalName: principal }));
      await sleep(5);
      await second.send('POST', '/api/login', JSON.stringify({ principalName: principal }));
      await sleep(5);
      // The first is used again (a write: it changes an attribute), so the second is the least recently used.
      expect((await first.send('PUT', '/api/session/attributes/tenantId', '"still-here"')).status).toBe(204);
      await sleep(5);
      await third.send('POST', '/api/login', JSON.stringify({ principalName: principal }));
      const listed = (await third.send('GET', '/api/sessions')).json.map((s: { id: string }) => s.id);
      expect(listed.sort()).toEqual([first.sessionId!, third.sessionId!].sort());
      expect((await second.send('GET', '/api/session')).json.id).toBeNull();
      expect((await first.send('GET', '/api/session')).json.attributes.tenantId).toBe('still-here');
    });

    it('SESSION_TOUCH_INTERVAL_S: requests that change nothing leave the stored access time alone', async () => {
      const browser = new Browser(url(lru));
      await browser.send('PUT', '/api/session/attributes/tenantId', '"touch"');
      const first = (await browser.send('GET', '/api/session')).json;
      await sleep(20);
      const second = (await browser.send('GET', '/api/session')).json;
      expect(second.lastAccessedTime).toBe(first.lastAccessedTime);
      // A request that writes anyway records its access.
      await sleep(5);
      await browser.send('PUT', '/api/session/attributes/tenantId', '"touched"');
      expect((await browser.send('GET', '/api/session')).json.lastAccessedTime).toBeGreaterThan(first.lastAccessedTime);
    });

    it('policy refuse: a login past the limit is 403 with no cookie, and the browser\'s session stays as it was', async () => {
      const principal = `refuse-${store}-${Date.now()}`;
      const first = new Browser(url(refuse));
      expect((await first.send('POST', '/api/login', JSON.stringify({ principalName: principal }))).status).toBe(200);
      const second = new Browser(url(refuse));
      await second.send('PUT', '/api/session/attributes/tenantId', '"visitor"');
      const before = (await second.send('GET', '/api/session')).json;
      const login = await second.send('POST', '/api/login', JSON.stringify({ principalName: principal }));
      expect(login.status).toBe(403);
      expect(login.json).toEqual({ error: expect.stringMatching(/already has 1 active session/), reason: 'too-many-sessions', status: 403 });
      expect(login.setCookie).toBeNull();
      const after = (await second.send('GET', '/api/session')).json;
      expect(after.id).toBe(before.id);
      expect(after.attributes).toEqual({ tenantId: 'visitor' });
      expect((await first.send('GET', '/api/sessions')).json.map((s: { id: string }) => s.id)).toEqual([first.sessionId!]);
    });

    it('SESSION_ABSOLUTE_TIMEOUT_S: a session ends 3 s after creation, however active', async () => {
      const browser = new Browser(url(refuse));
      await browser.send('POST', '/api/login', JSON.stringify({ principalName: `absolute-${store}-${Date.now()}` }));
      const created = (await browser.send('GET', '/api/session')).json;
      expect(created.id).not.toBeNull();
      const listed = (await browser.send('GET', '/api/sessions')).json;
      expect(listed[0].expiresAt).toBe(created.creationTime + 3_000);
      while (Date.now() < created.creationTime + 2_000) {
        expect((await browser.send('GET', '/api/session')).json.id).toBe(created.id);
        await sleep(300);
      }
      await sleep(created.creationTime + 3_050 - Date.now());
      expect((await browser.send('GET', '/api/session')).json.id).toBeNull();
    }, 15_000);
  });
}

describe('demo with SESSION_RESOLVER=header (X-Auth-Token, for REST clients)', () => {
  let demo: Awaited<ReturnType<typeof startDemo>>;
  let base: string;
  beforeAll(async () => {
    demo = await startDemo({ ...process.env, SESSION_STORE: 'sqlite', DATABASE_URL: join(temp, 'header.db'), SESSION_RESOLVER: 'header', PORT: '0' });
    base = `http://127.0.0.1:${demo.port}`;
  }, 60_000);
  afterAll(async () => demo?.close());

  it('hands out the id in X-Auth-Token, reads it back, sets no cookie, and empties it on logout', async () => {
    const put = await fetch(`${base}/api/session/attributes/tenantId`, { method: 'PUT', body: '"rest"' });
    expect(put.status).toBe(204);
    expect(put.headers.getSetCookie()).toEqual([]);
    const token = put.headers.get('x-auth-token')!;
    expect(token).toMatch(/^[0-9a-f-]{36}$/);
    const got = await fetch(`${base}/api/session`, { headers: { 'x-auth-token': token } });
    expect(got.headers.get('x-auth-token')).toBeNull();
    expect(await got.json()).toMatchObject({ id: token, attributes: { tenantId: 'rest' } });
    const cookieOnly = await fetch(`${base}/api/session`, { headers: { cookie: `SESSION=${token}` } });
    expect((await cookieOnly.json()).id).toBeNull();
    const logout = await fetch(`${base}/api/logout`, { method: 'POST', headers: { 'x-auth-token': token } });
    expect(logout.status).toBe(204);
    expect(logout.headers.get('x-auth-token')).toBe('');
    expect((await (await fetch(`${base}/api/session`, { headers: { 'x-auth-token': token } })).json()).id).toBeNull();
  });
});

describe('demo cookie settings: SESSION_COOKIE_SECURE and SESSION_TRUST_PROXY', () => {
  const running: Array<Awaited<ReturnType<typeof startDemo>>> = [];
  afterAll(async () => {
    for (const demo of running) await demo.close();
  });

  /** The Set-Cookie of a new session, made with the given request headers, on a demo with `settings`. */
  async function cookieWith(settings: Record<string, string>, headers: Record<string, string> = {}): Promise<string> {
    const demo = await startDemo({ ...process.env, SESSION_STORE: 'memory', PORT: '0', SESSION_COOKIE_SECURE: '', SESSION_TRUST_PROXY: '', ...settings });
    running.push(demo);
    const response = await fetch(`http://127.0.0.1:${demo.port}/api/session/attributes/tenantId`, { method: 'PUT', body: '"x"', headers });
    expect(response.status).toBe(204);
    return response.headers.get('set-cookie')!;
  }
  const https = { 'x-forwarded-proto': 'https' };

  it('by default (auto, no proxy trusted) a plain-http request gets no Secure, whatever X-Forwarded-Proto says', async () => {
    expect(await cookieWith({}, https)).not.toMatch(/Secure/);
  });

  it('SESSION_TRUST_PROXY=true believes X-Forwarded-Proto: https', async () => {
    expect(await cookieWith({ SESSION_TRUST_PROXY: 'true' }, https)).toMatch(/; Secure/);
    expect(await cookieWith({ SESSION_TRUST_PROXY: 'true' })).not.toMatch(/Secure/);
  });

  it('SESSION_COOKIE_SECURE=true always sets Secure; false never does', async () => {
    expect(await cookieWith({ SESSION_COOKIE_SECURE: 'true' })).toMatch(/; Secure/);
    expect(await cookieWith({ SESSION_COOKIE_SECURE: 'false', SESSION_TRUST_PROXY: 'true' }, https)).not.toMatch(/Secure/);
  });

  it('other values fail the start, saying what is allowed', async () => {
    await expect(startDemo({ ...process.env, SESSION_STORE: 'memory', PORT: '0', SESSION_COOKIE_SECURE: 'yes' })).rejects.toThrow(
      'SESSION_COOKIE_SECURE=yes is not one of: auto, true, false',
    );
    await expect(startDemo({ ...process.env, SESSION_STORE: 'memory', PORT: '0', SESSION_TRUST_PROXY: '1' })).rejects.toThrow(
      'SESSION_TRUST_PROXY=1 is not one of: true, false',
    );
  });
});

describe('demo errors when the store fails: JSON on every route, no stack trace', () => {
  const store = new FailingStore(new MemorySessionStore(appSessionDescriptor));
  const repository = new AppSessionRepository(store);
  let server: Server;
  let base: string;
  const logged: unknown[] = [];
  const consoleError = console.error;

  beforeAll(async () => {
    console.error = (...args: unknown[]) => void logged.push(args);
    server = createDemoApp(repository).listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    console.error = consoleError;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  async function loggedInCookie(): Promise<string> {
    store.failing = null;
    const login = await fetch(`${base}/api/login`, { method: 'POST', body: JSON.stringify({ principalName: 'erin' }), headers: { 'content-type': 'application/json' } });
    return login.headers.get('set-cookie')!.split(';')[0]!;
  }

  const ROUTES: Array<[string, string, string | undefined]> = [
    ['GET', '/api/session', undefined],
    ['PUT', '/api/session/attributes/tenantId', '"t"'],
    ['DELETE', '/api/session/attributes/tenantId', undefined],
    ['POST', '/api/login', '{"principalName":"erin"}'],
    ['POST', '/api/logout', undefined],
    ['GET', '/api/sessions', undefined],
    ['DELETE', '/api/sessions/0d8f5d0e-3b7e-4c39-9d46-1f2a3b4c5d6e', undefined],
  ];

  it.each(ROUTES)('%s %s: 503 { error, status } when the store is down', async (method, path, body) => {
    const cookie = await loggedInCookie();
    store.failing = 'unavailable';
    const response = await fetch(base + path, { method, headers: { cookie, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body }) });
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ error: 'session store unavailable', status: 503 });
  });

  it('listing and revoking, whose calls are not the session\'s own: 503 too', async () => {
    const cookie = await loggedInCookie();
    const other = (await loggedInCookie()).slice('SESSION='.length);
    store.failing = 'unavailable';
    try {
      store.only = ['findByIndex'];
      const listed = await fetch(`${base}/api/sessions`, { headers: { cookie } });
      expect(listed.status).toBe(503);
      expect(await listed.json()).toEqual({ error: 'session store unavailable', status: 503 });
      store.only = ['delete'];
      const revoked = await fetch(`${base}/api/sessions/${other}`, { method: 'DELETE', headers: { cookie } });
      expect(revoked.status).toBe(503);
      expect(await revoked.json()).toEqual({ error: 'session store unavailable', status: 503 });
    } finally {
      store.only = null;
    }
  });

  it('a failure that is not the store\'s: 500 { error: "internal error" }, the cause logged and not sent', async () => {
    const cookie = await loggedInCookie();
    store.failing = 'bug';
    store.only = ['findByIndex'];
    try {
      const response = await fetch(`${base}/api/sessions`, { headers: { cookie } });
      const text = await response.text();
      expect(response.status).toBe(500);
      expect(JSON.parse(text)).toEqual({ error: 'internal error', path: '' });
      expect(text).not.toMatch(/boom|\bat /);
      expect(String(logged.at(-1))).toMatch(/GET \/api\/sessions failed/);
    } finally {
      store.only = null;
    }
  });
});

describe('demo start-up', () => {
  it('refuses governance settings out of range, saying which', async () => {
    const memory = { ...process.env, SESSION_STORE: 'memory', PORT: '0' };
    await expect(startDemo({ ...memory, SESSION_ABSOLUTE_TIMEOUT_S: '1.5' })).rejects.toThrow("SESSION_ABSOLUTE_TIMEOUT_S must be a whole number, got '1.5'");
    await expect(startDemo({ ...memory, SESSION_ABSOLUTE_TIMEOUT_S: '-1' })).rejects.toThrow(/absoluteTimeout must be whole seconds from 1/);
    await expect(startDemo({ ...memory, SESSION_TOUCH_INTERVAL_S: '86401' })).rejects.toThrow(/touchInterval must be whole seconds from 0 to 86400/);
    await expect(startDemo({ ...memory, SESSION_MAX_PER_PRINCIPAL: '-2' })).rejects.toThrow(/maxSessionsPerPrincipal.max/);
    await expect(startDemo({ ...memory, SESSION_MAX_PER_PRINCIPAL: '2', SESSION_MAX_PER_PRINCIPAL_POLICY: 'oldest' })).rejects.toThrow(
      'SESSION_MAX_PER_PRINCIPAL_POLICY=oldest is not one of: end-least-recently-used, refuse',
    );
  });

  it('refuses a SESSION_TIMEOUT_S past what every store holds (10 years), before serving anything', async () => {
    for (const timeout of [String(2 ** 31), '315360001']) {
      await expect(startDemo({ ...process.env, SESSION_STORE: 'memory', SESSION_TIMEOUT_S: timeout, PORT: '0' })).rejects.toThrow(RangeError);
    }
    const demo = await startDemo({ ...process.env, SESSION_STORE: 'memory', SESSION_TIMEOUT_S: '315360000', PORT: '0' });
    await demo.close();
  });
});

describe('demo start-up with SESSION_COMPAT', () => {
  it('refuses a store Spring Session has no layout for, and a SESSION_COMPAT it does not know', async () => {
    await expect(startDemo({ ...process.env, SESSION_STORE: 'hazelcast', SESSION_COMPAT: 'spring', PORT: '0' })).rejects.toThrow(/SESSION_COMPAT=spring runs on SESSION_STORE=redis, postgres, mariadb, mysql, sqlite, not hazelcast/);
    await expect(startDemo({ ...process.env, SESSION_STORE: 'memory', SESSION_COMPAT: 'rails', PORT: '0' })).rejects.toThrow(/SESSION_COMPAT=rails is not one of: spring/);
  });
});
