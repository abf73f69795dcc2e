/** The demo app over real sockets, on every store it can run on (DESIGN, "The demo app"). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo } from '../../examples/demo/server.js';

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
];

/** A cookie-keeping client for one browser. */
class Browser {
  cookie: string | undefined;
  constructor(readonly base: string) {}
  async send(method: string, path: string, body?: string, headers: Record<string, string> = {}) {
    const response = await fetch(this.base + path, {
      method,
      redirect: 'manual',
      headers: { ...(this.cookie ? { cookie: this.cookie } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
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
  describe(`demo on ${store}`, () => {
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
      expect(browser.cookie).toMatch(/^SESSION=[0-9a-f-]{36}$/);
      expect((await browser.send('PUT', '/api/session/attributes/lastLoginAt', '1700000000000')).status).toBe(204);
      const cart = [{ sku: 'ABC-1', quantity: 2, unitPriceCents: 250 }];
      expect((await browser.send('PUT', '/api/session/attributes/cart', JSON.stringify(cart))).status).toBe(204);
      const { json } = await browser.send('GET', '/api/session');
      expect(json.id).toBe(browser.cookie!.slice('SESSION='.length));
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

    it('DELETE removes one attribute', async () => {
      const browser = new Browser(base);
      await browser.send('PUT', '/api/session/attributes/tenantId', '"a"');
      await browser.send('PUT', '/api/session/attributes/draft:note', '"text"');
      expect((await browser.send('DELETE', '/api/session/attributes/tenantId')).status).toBe(204);
      expect((await browser.send('GET', '/api/session')).json.attributes).toEqual({ 'draft:note': 'text' });
    });

    it('login sets the principal and changes the id; the principal index lists it; revoke and logout work', async () => {
      const principal = `user-${store}-${Date.now()}`;
      const browser = new Browser(base);
      await browser.send('PUT', '/api/session/attributes/tenantId', '"t1"');
      const before = browser.cookie;
      const login = await browser.send('POST', '/api/login', JSON.stringify({ principalName: principal }));
      expect(login.status).toBe(200);
      expect(`SESSION=${login.json.id}`).toBe(browser.cookie);
      expect(browser.cookie).not.toBe(before);
      const other = new Browser(base);
      await other.send('POST', '/api/login', JSON.stringify({ principalName: principal }));
      const listed = await new Browser(base).send('GET', `/api/sessions?principalName=${principal}`);
      expect(listed.json.map((s: { id: string }) => s.id).sort()).toEqual([login.json.id, other.cookie!.slice(8)].sort());
      expect(Object.keys(listed.json[0]).sort()).toEqual(['creationTime', 'id', 'lastAccessedTime']);
      const session = await browser.send('GET', '/api/session');
      expect(session.json.attributes.principalName).toBe(principal);
      expect(session.json.attributes.tenantId).toBe('t1');

      expect((await new Browser(base).send('DELETE', `/api/sessions/${other.cookie!.slice(8)}`)).status).toBe(204);
      expect((await other.send('GET', '/api/session')).json.id).toBeNull();

      const logout = await browser.send('POST', '/api/logout');
      expect(logout.status).toBe(204);
      expect(logout.setCookie).toMatch(/^SESSION=; .*Max-Age=0/);
      expect((await new Browser(base).send('GET', `/api/sessions?principalName=${principal}`)).json).toEqual([]);
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
      // id had just been changed) is sent again after its Retry-After, as a client would.
      const CLIENTS = 10;
      const PUTS = 10;
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
      expect(browser.cookie).toBe(`SESSION=${loggedIn.json.id}`);
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
      const hostile = ['*', '[a-z]*', 'x'.repeat(10_240), '%00%0a', 'a,b', '"quoted"', '\u00ff\u00fe', '{slot}', "'; DROP TABLE app_session; --"];
      for (const value of hostile) {
        const response = await fetch(`${base}/api/session`, { headers: { cookie: `SESSION=${encodeURIComponent(value)}; SESSION=${value.replace(/[^\x21-\x7e]/g, '')}` } });
        const label = value.slice(0, 24);
        // Node itself answers 431 to a header over its limit; anything else reaches the app.
        expect([200, 431], label).toContain(response.status);
        if (response.status === 200) expect((await response.json()).id, label).toBeNull();
        const revoke = await fetch(`${base}/api/sessions/${encodeURIComponent(value)}`, { method: 'DELETE' });
        expect(revoke.status, label).toBeLessThan(500);
        const listed = await fetch(`${base}/api/sessions?principalName=${encodeURIComponent(value)}`);
        expect(listed.status, label).toBe(200);
        expect(await listed.json(), label).toEqual([]);
      }
    });
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
