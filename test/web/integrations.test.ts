/**
 * Every integration (Express, Fastify, Fetch/Hono) over real HTTP against SQLite and Redis:
 * laziness, cookies, login/regenerate, logout, save-before-redirect, header ids, store failures.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CookieSessionIdResolver, HeaderSessionIdResolver, uuidSessionIdGenerator } from '@sessiongen/runtime';
import { INTEGRATIONS, startServer, type RunningServer } from './servers.js';
import { openRepository, STORE_KINDS, type OpenedRepository } from './stores.js';

const cookieOf = (setCookie: string[]) => {
  const lines = setCookie.filter((line) => line.startsWith('SESSION='));
  if (lines.length !== 1) throw new Error(`expected one SESSION cookie, got ${JSON.stringify(setCookie)}`);
  return lines[0].slice('SESSION='.length).split(';')[0];
};

for (const kind of STORE_KINDS) {
  for (const integration of INTEGRATIONS) {
    describe(`${integration} on ${kind}, over real HTTP`, () => {
      let opened: OpenedRepository;
      let server: RunningServer;
      let url: string;
      const call = (path: string, init: RequestInit = {}) => fetch(url + path, { redirect: 'manual', ...init });

      beforeAll(async () => {
        opened = await openRepository(kind);
        server = await startServer(integration, opened.repository);
        url = server.url;
      });
      afterAll(async () => {
        await server?.close();
        await opened?.close();
      });
      beforeEach(() => {
        opened.store.calls.length = 0;
        opened.store.writeDelayMs = 0;
        opened.store.down = false;
      });

      it('a route that never touches the session makes no store call and sets no cookie', async () => {
        const response = await call('/plain', { headers: { cookie: `SESSION=${uuidSessionIdGenerator.generate()}` } });
        expect(response.status).toBe(200);
        expect(await response.text()).toBe('plain');
        expect(response.headers.getSetCookie()).toEqual([]);
        expect(opened.store.calls).toEqual([]);
      });

      it('creates a session with SESSION=<id>; Path=/; HttpOnly; SameSite=Lax, then loads it without a new cookie', async () => {
        const first = await call('/counter', { method: 'POST' });
        const body = (await first.json()) as { id: string; counter: number };
        expect(body.counter).toBe(1);
        expect(first.headers.getSetCookie()).toEqual([`SESSION=${body.id}; Path=/; HttpOnly; SameSite=Lax`]);
        const second = await call('/counter', { method: 'POST', headers: { cookie: `SESSION=${body.id}` } });
        expect(await second.json()).toEqual({ id: body.id, counter: 2 });
        expect(second.headers.getSetCookie()).toEqual([]);
        expect((await opened.raw.load(body.id))?.attributes).toMatchObject({ lastLoginAt: 2 });
      });

      it('login regenerates the id keeping the data; the old id is gone; the index finds the new one', async () => {
        const created = (await (await call('/counter', { method: 'POST' })).json()) as { id: string };
        const login = await call('/login?user=zoe-' + integration + kind, { method: 'POST', headers: { cookie: `SESSION=${created.id}` } });
        const { before, id } = (await login.json()) as { before: string; id: string };
        expect(before).toBe(created.id);
        expect(id).not.toBe(before);
        expect(cookieOf(login.headers.getSetCookie())).toBe(id);
        expect(await opened.raw.load(before)).toBeNull();
        expect((await opened.raw.load(id))?.attributes).toMatchObject({ lastLoginAt: 1, principalName: 'zoe-' + integration + kind });
        const sessions = await call(`/sessions?principalName=zoe-${integration}${kind}`);
        expect(await sessions.json()).toEqual([id]);
      });

      it('regenerate({ keepData: false }) deletes the session and starts an empty one', async () => {
        const created = (await (await call('/counter', { method: 'POST' })).json()) as { id: string };
        const fresh = await call('/fresh', { method: 'POST', headers: { cookie: `SESSION=${created.id}` } });
        const body = (await fresh.json()) as { before: string; id: string; attributes: object };
        expect(body.before).toBe(created.id);
        expect(body.attributes).toEqual({});
        expect(cookieOf(fresh.headers.getSetCookie())).toBe(body.id);
        expect(await opened.raw.load(created.id)).toBeNull();
        expect(await opened.raw.load(body.id)).not.toBeNull();
      });

      it('logout deletes the session and expires the cookie with Max-Age=0', async () => {
        const created = (await (await call('/counter', { method: 'POST' })).json()) as { id: string };
        const logout = await call('/logout', { method: 'POST', headers: { cookie: `SESSION=${created.id}` } });
        expect(logout.status).toBe(204);
        const [line] = logout.headers.getSetCookie();
        expect(line).toMatch(/^SESSION=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=\/; HttpOnly; SameSite=Lax$/);
        expect(await opened.raw.load(created.id)).toBeNull();
      });

      it('a request under an id another request changed: 409 JSON with Retry-After, no cookie, nothing read or created', async () => {
        const created = (await (await call('/counter', { method: 'POST' })).json()) as { id: string };
        const login = (await (await call('/login?user=late-' + integration + kind, { method: 'POST', headers: { cookie: `SESSION=${created.id}` } })).json()) as { id: string };
        opened.store.calls.length = 0;
        for (const [method, path] of [['GET', '/session'], ['POST', '/counter'], ['POST', '/logout']] as const) {
          const response = await call(path, { method, headers: { cookie: `SESSION=${created.id}` } });
          expect(response.status, path).toBe(409);
          expect(response.headers.get('retry-after'), path).toBe('1');
          expect(response.headers.getSetCookie(), path).toEqual([]);
          const body = await response.text();
          expect(JSON.parse(body), path).toMatchObject({ reason: 'moved', status: 409 });
          expect(body).not.toContain(login.id);
        }
        expect((await opened.raw.load(login.id))?.attributes).toMatchObject({ lastLoginAt: 1, principalName: 'late-' + integration + kind });
        expect(opened.store.calls.filter((c) => c.op !== 'load' && c.op !== 'isMoved')).toEqual([]);
      });

      it('a session deleted while the request ran: 410 JSON instead of the reply, no cookie, not resurrected', async () => {
        const created = (await (await call('/counter', { method: 'POST' })).json()) as { id: string };
        const response = await call('/revoked-midway', { method: 'POST', headers: { cookie: `SESSION=${created.id}` } });
        expect(response.status).toBe(410);
        expect(response.headers.getSetCookie()).toEqual([]);
        expect(await response.json()).toMatchObject({ reason: 'ended', status: 410 });
        expect(await opened.raw.load(created.id)).toBeNull();
      });

      it('a redirect whose save is slow reaches the client only after the store holds the write', async () => {
        opened.store.writeDelayMs = 150;
        const response = await call('/redirect', { method: 'POST' });
        const received = Date.now();
        expect(response.status).toBe(302);
        const id = cookieOf(response.headers.getSetCookie());
        const landed = opened.store.landed.find((entry) => entry.id === id);
        expect(landed).toBeDefined();
        expect(landed!.at).toBeLessThanOrEqual(received);
        expect((await opened.raw.load(id))?.attributes).toMatchObject({ locale: 'fr-FR' });
      });

      it('an unknown or malformed cookie gives no session and no store key built from it', async () => {
        const response = await call('/session', { headers: { cookie: 'SESSION=../../etc; SESSION=*; SESSION=' + uuidSessionIdGenerator.generate() } });
        expect(await response.json()).toEqual({ id: null });
        expect(opened.store.calls.filter((c) => c.op === 'load')).toHaveLength(1);
        expect(opened.store.invalidIds).toEqual([]);
      });

      it('twenty SESSION cookies cost at most 3 store lookups', async () => {
        const cookie = Array.from({ length: 20 }, () => `SESSION=${uuidSessionIdGenerator.generate()}`).join('; ');
        const response = await call('/session', { headers: { cookie } });
        expect(await response.json()).toEqual({ id: null });
        expect(opened.store.calls.filter((c) => c.op === 'load')).toHaveLength(3);
      });

      it('store down while saving: 503 JSON instead of the response, reported', async () => {
        opened.store.down = true;
        const before = server.logged.length;
        const response = await call('/counter', { method: 'POST' });
        expect(response.status).toBe(503);
        expect(await response.json()).toEqual({ error: 'session store unavailable', status: 503 });
        expect(response.headers.getSetCookie()).toEqual([]);
        expect(server.logged.length).toBeGreaterThan(before);
      });

      it('a set past the session limit answers 413 { error, path }, an invalid value 400; the session keeps what fit', async () => {
        const first = await call('/draft?name=a&size=20000', { method: 'POST' });
        expect(first.status).toBe(204);
        const cookie = `SESSION=${cookieOf(first.headers.getSetCookie())}`;
        for (const name of ['b', 'c']) expect((await call(`/draft?name=${name}&size=20000`, { method: 'POST', headers: { cookie } })).status).toBe(204);
        const over = await call('/draft?name=d&size=20000', { method: 'POST', headers: { cookie } });
        expect(over.status).toBe(413);
        expect(await over.json()).toEqual({ error: expect.stringMatching(/over its limit of 65536/), path: '/draft:d' });
        const invalid = await call('/draft?name=e&size=20001', { method: 'POST', headers: { cookie } });
        expect(invalid.status).toBe(400);
        expect(await invalid.json()).toEqual({ error: expect.stringMatching(/more than 20000 characters/), path: '/draft:e' });
        const id = cookie.slice('SESSION='.length);
        expect(Object.keys((await opened.raw.load(id))!.attributes).sort()).toEqual(['draft:a', 'draft:b', 'draft:c']);
      });

      it('store down while loading: 503, not a silent request without a session', async () => {
        const created = (await (await call('/counter', { method: 'POST' })).json()) as { id: string };
        opened.store.down = true;
        const response = await call('/session', { headers: { cookie: `SESSION=${created.id}` } });
        expect(response.status).toBe(503);
        expect(((await response.json()) as { status?: number; statusCode?: number }).status ?? 503).toBe(503);
      });
    });
  }
}

describe.each(INTEGRATIONS)('%s: resolver options over real HTTP (SQLite)', (integration) => {
  let opened: OpenedRepository;
  beforeAll(async () => {
    opened = await openRepository('sqlite');
  });
  afterAll(() => opened.close());

  it('header resolver: X-Auth-Token written for a new id, read back, emptied on logout; no cookie', async () => {
    const server = await startServer(integration, opened.repository, { resolver: new HeaderSessionIdResolver() });
    try {
      const created = await fetch(server.url + '/counter', { method: 'POST' });
      const id = created.headers.get('x-auth-token')!;
      expect(uuidSessionIdGenerator.isValid(id)).toBe(true);
      expect(created.headers.getSetCookie()).toEqual([]);
      const again = await fetch(server.url + '/counter', { method: 'POST', headers: { 'X-Auth-Token': id } });
      expect(await again.json()).toEqual({ id, counter: 2 });
      expect(again.headers.get('x-auth-token')).toBeNull();
      const logout = await fetch(server.url + '/logout', { method: 'POST', headers: { 'X-Auth-Token': id } });
      expect(logout.headers.get('x-auth-token')).toBe('');
    } finally {
      await server.close();
    }
  });

  it('path, domain, max-age and base64 options, and Secure behind a proxy that says https', async () => {
    const resolver = new CookieSessionIdResolver({ path: '/app', domain: 'example.com', maxAge: 3600, encoding: 'base64', trustProxy: true });
    const server = await startServer(integration, opened.repository, { resolver });
    try {
      const viaProxy = await fetch(server.url + '/counter', { method: 'POST', headers: { 'x-forwarded-proto': 'https' } });
      const { id } = (await viaProxy.json()) as { id: string };
      const [line] = viaProxy.headers.getSetCookie();
      const parts = line.split('; ');
      expect(parts[0]).toBe(`SESSION=${Buffer.from(id).toString('base64')}`);
      expect(parts[1]).toBe('Max-Age=3600');
      expect(parts[2]).toMatch(/^Expires=\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
      expect(Math.abs(Date.parse(parts[2].slice(8)) - (Date.now() + 3_600_000))).toBeLessThan(60_000);
      expect(parts.slice(3)).toEqual(['Domain=example.com', 'Path=/app', 'Secure', 'HttpOnly', 'SameSite=Lax']);
      const direct = await fetch(server.url + '/counter', { method: 'POST' });
      expect(direct.headers.getSetCookie()[0]).not.toContain('Secure');
      const read = await fetch(server.url + '/session', { headers: { cookie: `SESSION=${id}; SESSION=${Buffer.from(id).toString('base64')}` } });
      expect(((await read.json()) as { id: string }).id).toBe(id);
    } finally {
      await server.close();
    }
  });

  it('storeErrorStatus is configurable', async () => {
    const server = await startServer(integration, opened.repository, { storeErrorStatus: 500 });
    try {
      opened.store.down = true;
      const response = await fetch(server.url + '/counter', { method: 'POST' });
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ error: 'Internal Server Error', status: 500 });
    } finally {
      opened.store.down = false;
      await server.close();
    }
  });
});
