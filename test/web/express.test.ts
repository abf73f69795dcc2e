import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { uuidSessionIdGenerator, type SessionIdGenerator } from '../../runtime/core/ids.js';
import { CookieSessionIdResolver } from '../../runtime/web/cookie-resolver.js';
import { HeaderSessionIdResolver } from '../../runtime/web/header-resolver.js';
import { makeApp, sessionOf, type TestAppOptions } from './app.js';
import { cookieParts, cookieValue, cookiesNamed, listen, type Running } from './helpers.js';

let running: Running | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function start(options: TestAppOptions = {}) {
  const made = makeApp(options);
  running = await listen(made.app);
  const url = running.url;
  const call = (path: string, init: RequestInit = {}) => fetch(url + path, { redirect: 'manual', ...init });
  return { ...made, url, call };
}

describe('Express sessionMiddleware over real sockets', () => {
  it('makes no store call when the route never touches the session', async () => {
    const { call, store } = await start();
    const response = await call('/plain', { headers: { cookie: 'SESSION=33fdd1b6-b496-4b33-9f7d-df96679d32fe' } });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('plain');
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(store.calls).toEqual([]);
  });

  it('leaves the response of a route that never touches the session unpatched', async () => {
    const { app } = await start();
    let patched: boolean | undefined;
    app.get('/probe', (_req, res) => {
      patched = Object.prototype.hasOwnProperty.call(res, 'end') || Object.prototype.hasOwnProperty.call(res, 'writeHead');
      res.send('probe');
    });
    expect((await fetch(`${running!.url}/probe`)).status).toBe(200);
    expect(patched).toBe(false);
  });

  it('a session first touched after the headers went out cannot be created and is not saved', async () => {
    const { call, store } = await start();
    const response = await call('/late');
    expect(await response.text()).toBe('headers sent; get: Cannot create a session after the response has been committed; find: null');
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(store.calls.filter((call) => call.op === 'write')).toEqual([]);
  });

  it('find() without a cookie answers null, sets no cookie and calls no store', async () => {
    const { call, store } = await start();
    const response = await call('/session');
    expect(await response.json()).toEqual({ id: null });
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(store.calls).toEqual([]);
  });

  it('a new session gets SESSION=<id>; Path=/; HttpOnly; SameSite=Lax and no Secure over http', async () => {
    const { call, store } = await start();
    const response = await call('/counter', { method: 'POST' });
    const body = (await response.json()) as { id: string; counter: number };
    expect(body.counter).toBe(1);
    expect(uuidSessionIdGenerator.isValid(body.id)).toBe(true);
    const lines = cookiesNamed(response);
    expect(lines).toEqual([`SESSION=${body.id}; Path=/; HttpOnly; SameSite=Lax`]);
    expect(store.calls).toEqual([{ op: 'write', id: body.id }]);
    expect((await store.inner.load(body.id))?.attributes).toEqual({ counter: 1 });
  });

  it('with trustProxy, X-Forwarded-Proto: https makes the cookie Secure; without it, it is ignored', async () => {
    const trusting = await start({ resolver: new CookieSessionIdResolver({ trustProxy: true }) });
    const secure = await trusting.call('/counter', { method: 'POST', headers: { 'x-forwarded-proto': 'https' } });
    expect(cookieParts(cookiesNamed(secure)[0]).slice(1)).toEqual(['Path=/', 'Secure', 'HttpOnly', 'SameSite=Lax']);
    const plain = await trusting.call('/counter', { method: 'POST', headers: { 'x-forwarded-proto': 'http' } });
    expect(cookieParts(cookiesNamed(plain)[0]).slice(1)).toEqual(['Path=/', 'HttpOnly', 'SameSite=Lax']);
    await running!.close();
    running = undefined;

    const untrusting = await start();
    const spoofed = await untrusting.call('/counter', { method: 'POST', headers: { 'x-forwarded-proto': 'https' } });
    expect(cookieParts(cookiesNamed(spoofed)[0]).slice(1)).toEqual(['Path=/', 'HttpOnly', 'SameSite=Lax']);
  });

  it('the second request with the cookie loads the same session and gets no Set-Cookie', async () => {
    const { call, store } = await start();
    const first = await call('/counter', { method: 'POST' });
    const id = cookieValue(first);
    const before = (await store.inner.load(id))!.lastAccessedTime;
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await call('/counter', { method: 'POST', headers: { cookie: `SESSION=${id}` } });
    expect(await second.json()).toEqual({ id, counter: 2 });
    expect(second.headers.getSetCookie()).toEqual([]);
    const stored = (await store.inner.load(id))!;
    expect(stored.attributes).toEqual({ counter: 2 });
    expect(stored.lastAccessedTime).toBeGreaterThan(before);

    const read = await call('/session', { headers: { cookie: `SESSION=${id}` } });
    expect(await read.json()).toEqual({ id, counter: 2, attributes: { counter: 2 } });
    expect(read.headers.getSetCookie()).toEqual([]);
  });

  it('an unknown id in the cookie gives a new session with a new cookie', async () => {
    const { call } = await start();
    const stale = '0d8f5d0e-3b7e-4c39-9d46-1f2a3b4c5d6e';
    const response = await call('/counter', { method: 'POST', headers: { cookie: `SESSION=${stale}` } });
    const body = (await response.json()) as { id: string; counter: number };
    expect(body.counter).toBe(1);
    expect(body.id).not.toBe(stale);
    expect(cookieValue(response)).toBe(body.id);
  });

  it('changeSessionId writes a new cookie, keeps the attributes; the old id reads nothing: 409 moved, no cookie', async () => {
    const { call, store, repository } = await start();
    const oldId = cookieValue(await call('/counter', { method: 'POST' }));
    const response = await call('/login?user=bob', { method: 'POST', headers: { cookie: `SESSION=${oldId}` } });
    const body = (await response.json()) as { before: string; id: string };
    expect(body.before).toBe(oldId);
    expect(body.id).not.toBe(oldId);
    expect(cookieValue(response)).toBe(body.id);
    expect(await store.inner.load(oldId)).toBeNull();
    expect((await store.inner.load(body.id))?.attributes).toEqual({ counter: 1, principalName: 'bob' });
    expect([...(await repository.findByIndex('principalName', 'bob')).keys()]).toEqual([body.id]);

    const old = await call('/session', { headers: { cookie: `SESSION=${oldId}` } });
    expect(old.status).toBe(409);
    expect(old.headers.get('retry-after')).toBe('1');
    expect(cookiesNamed(old)).toEqual([]);
    expect(await old.json()).toMatchObject({ reason: 'moved', status: 409 });
  });

  it('invalidate deletes the store entry and expires the cookie with Max-Age=0', async () => {
    const { call, store } = await start();
    const id = cookieValue(await call('/counter', { method: 'POST' }));
    const response = await call('/logout', { method: 'POST', headers: { cookie: `SESSION=${id}` } });
    expect(response.status).toBe(204);
    expect(cookiesNamed(response)).toEqual([
      'SESSION=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; HttpOnly; SameSite=Lax',
    ]);
    expect(await store.inner.load(id)).toBeNull();
    expect(store.inner.size).toBe(0);
  });

  it('get() after invalidate in the same request makes a brand-new session without the old attributes', async () => {
    const { call, store } = await start();
    const id = cookieValue(await call('/counter', { method: 'POST' }));
    const response = await call('/logout-and-new', { method: 'POST', headers: { cookie: `SESSION=${id}` } });
    const body = (await response.json()) as { id: string; counter: number | null };
    expect(body.id).not.toBe(id);
    expect(body.counter).toBeNull();
    expect(cookieValue(response)).toBe(body.id);
    expect(await store.inner.load(id)).toBeNull();
    expect(await store.inner.load(body.id)).not.toBeNull();
  });

  it('a redirect whose save is slow reaches the client only after the store holds the write', async () => {
    const { call, store } = await start();
    store.writeDelayMs = 200;
    const startedAt = Date.now();
    const response = await call('/redirect', { method: 'POST' });
    const arrivedAt = Date.now();
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/done');
    const id = cookieValue(response);
    expect(store.landed.map((entry) => entry.id)).toEqual([id]);
    expect(store.landed[0].at).toBeLessThanOrEqual(arrivedAt);
    expect(arrivedAt - startedAt).toBeGreaterThanOrEqual(190);
    expect((await store.inner.load(id))?.attributes).toEqual({ counter: 42 });
  });

  it('streamed writes (write, write, flushHeaders, end) are held and replayed in order with the cookie', async () => {
    const { call, store } = await start();
    store.writeDelayMs = 50;
    const response = await call('/stream', { method: 'POST' });
    expect(await response.text()).toBe('abc');
    const id = cookieValue(response);
    expect((await store.inner.load(id))?.attributes).toEqual({ counter: 7 });
  });

  it('adds no own property to req or res under Express, and holds a reply sent back in the parent app after a mounted app touched the session', async () => {
    const { app, call, store } = await start();
    store.writeDelayMs = 100;
    const sub = express();
    const own: string[] = [];
    sub.post('/touch', async (req, res, next) => {
      (await sessionOf(req).get()).set('counter', 5);
      own.push(...['session', 'writeHead', 'write', 'end', 'flushHeaders'].filter((name) => Object.prototype.hasOwnProperty.call(name === 'session' ? req : res, name)));
      next(); // back to the parent app, which replies
    });
    app.use('/sub', sub);
    app.post('/sub/touch', (_req, res) => {
      res.status(201).end('from the parent');
    });
    const startedAt = Date.now();
    const response = await call('/sub/touch', { method: 'POST' });
    expect(response.status).toBe(201);
    expect(await response.text()).toBe('from the parent');
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(90);
    const id = cookieValue(response);
    expect(store.landed.map((entry) => entry.id)).toEqual([id]);
    expect((await store.inner.load(id))?.attributes).toEqual({ counter: 5 });
    expect(own).toEqual([]);
  });

  it('keeps the cookies the app sets, through res.cookie and through writeHead headers', async () => {
    const { call } = await start();
    const viaCookie = await call('/app-cookie', { method: 'POST' });
    const names = viaCookie.headers.getSetCookie().map((line) => line.split('=')[0]).sort();
    expect(names).toEqual(['SESSION', 'theme']);
    const viaWriteHead = await call('/app-cookie?writeHead=object', { method: 'POST' });
    expect(await viaWriteHead.text()).toBe('ok');
    const all = viaWriteHead.headers.getSetCookie().map((line) => line.split('=')[0]).sort();
    expect(all).toEqual(['SESSION', 'lang', 'theme']);
    const viaArray = await call('/app-cookie?writeHead=array', { method: 'POST' });
    expect(await viaArray.text()).toBe('ok');
    expect(viaArray.headers.get('content-type')).toBe('text/plain');
    const fromArray = viaArray.headers.getSetCookie().map((line) => line.split('=')[0]).sort();
    expect(fromArray).toEqual(['SESSION', 'lang', 'theme', 'tz']);
  });

  it("base64 mode round-trips Spring's example id", async () => {
    const springId = '33fdd1b6-b496-4b33-9f7d-df96679d32fe';
    const springCookie = 'MzNmZGQxYjYtYjQ5Ni00YjMzLTlmN2QtZGY5NjY3OWQzMmZl';
    let first = true;
    const ids: SessionIdGenerator = {
      generate: () => (first ? ((first = false), springId) : uuidSessionIdGenerator.generate()),
      isValid: uuidSessionIdGenerator.isValid,
    };
    const { call, store } = await start({
      resolver: new CookieSessionIdResolver({ encoding: 'base64' }),
      repository: { ids },
    });
    const created = await call('/counter', { method: 'POST' });
    expect(((await created.json()) as { id: string }).id).toBe(springId);
    expect(cookieValue(created)).toBe(springCookie);
    expect(await store.inner.load(springId)).not.toBeNull();

    const again = await call('/counter', { method: 'POST', headers: { cookie: `SESSION=${springCookie}` } });
    expect(await again.json()).toEqual({ id: springId, counter: 2 });
    expect(again.headers.getSetCookie()).toEqual([]);

    // The raw id is not a base64 cookie: ignored, so a new session.
    const raw = await call('/session', { headers: { cookie: `SESSION=${springId}` } });
    expect(await raw.json()).toEqual({ id: null });
  });

  it('reads every SESSION cookie in order: first unknown, second valid → the second is used', async () => {
    const { call, store } = await start();
    const id = cookieValue(await call('/counter', { method: 'POST' }));
    const unknown = '0d8f5d0e-3b7e-4c39-9d46-1f2a3b4c5d6e';
    store.calls.length = 0;
    const response = await call('/counter', {
      method: 'POST',
      headers: { cookie: `SESSION=${unknown}; other=1; SESSION=${id}` },
    });
    expect(await response.json()).toEqual({ id, counter: 2 });
    expect(store.calls.filter((c) => c.op === 'load').map((c) => c.id)).toEqual([unknown, id]);
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('header resolver: X-Auth-Token round trip, no cookie, empty header after invalidate', async () => {
    const { call, store } = await start({ resolver: new HeaderSessionIdResolver() });
    const created = await call('/counter', { method: 'POST' });
    const token = created.headers.get('x-auth-token')!;
    expect(uuidSessionIdGenerator.isValid(token)).toBe(true);
    expect(created.headers.getSetCookie()).toEqual([]);
    expect(((await created.json()) as { id: string }).id).toBe(token);

    const again = await call('/counter', { method: 'POST', headers: { 'X-Auth-Token': token } });
    expect(await again.json()).toEqual({ id: token, counter: 2 });
    expect(again.headers.get('x-auth-token')).toBeNull();

    const ignoredCookie = await call('/session', { headers: { cookie: `SESSION=${token}` } });
    expect(await ignoredCookie.json()).toEqual({ id: null });

    const logout = await call('/logout', { method: 'POST', headers: { 'X-Auth-Token': token } });
    expect(logout.status).toBe(204);
    expect(logout.headers.get('x-auth-token')).toBe('');
    expect(await store.inner.load(token)).toBeNull();
  });

  it('store down while saving → 503 JSON instead of the held response, logged, not a hang', async () => {
    const { call, store, logged } = await start();
    store.down = true;
    const response = await call('/redirect', { method: 'POST', signal: AbortSignal.timeout(3000) });
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('location')).toBeNull();
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(await response.json()).toEqual({ error: 'session store unavailable', status: 503 });
    expect(logged).toHaveLength(1);
    expect(String(logged[0])).toContain('connection refused (write)');
  });

  it('store down while loading → 503 JSON through sessionErrorHandler', async () => {
    const { call, store } = await start();
    const id = cookieValue(await call('/counter', { method: 'POST' }));
    store.down = true;
    const response = await call('/counter', {
      method: 'POST',
      headers: { cookie: `SESSION=${id}` },
      signal: AbortSignal.timeout(3000),
    });
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ error: 'session store unavailable', status: 503 });
  });

  it('storeErrorStatus is honoured', async () => {
    const { call, store } = await start({ storeErrorStatus: 500 });
    store.down = true;
    const response = await call('/counter', { method: 'POST', signal: AbortSignal.timeout(3000) });
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: 'Internal Server Error', status: 500 });
  });

  it('50 concurrent requests each setting a different draft:N on one session are all kept', async () => {
    const { call, store } = await start();
    const id = cookieValue(await call('/counter', { method: 'POST' }));
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, n) => call(`/draft/${n}`, { method: 'PUT', headers: { cookie: `SESSION=${id}` } })),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(204));
    expect(responses.flatMap((r) => r.headers.getSetCookie())).toEqual([]);
    const attributes = (await store.inner.load(id))!.attributes;
    const expected: Record<string, unknown> = { counter: 1 };
    for (let n = 0; n < 50; n++) expected[`draft:${n}`] = `text ${n}`;
    expect(attributes).toEqual(expected);
  });

  it('a session revoked while the request ran is not resurrected: 410 instead of the reply, no cookie header', async () => {
    const { app, store, repository } = makeApp();
    void app;
    // Drive the revoke from inside a route: delete the session between load and save.
    const express = (await import('express')).default;
    const { sessionMiddleware } = await import('../../runtime/web/express.js');
    const revoking = express();
    revoking.use(sessionMiddleware({ repository }));
    revoking.post('/revoke-midway', async (req, res) => {
      const session = await sessionOf(req).get();
      await repository.deleteById(session.id);
      session.set('counter', 99);
      res.json({ id: session.id });
    });
    const created = repository.createSession();
    created.set('counter', 1);
    await repository.save(created);
    running = await listen(revoking);
    const response = await fetch(running.url + '/revoke-midway', {
      method: 'POST',
      headers: { cookie: `SESSION=${created.id}` },
    });
    expect(response.status).toBe(410);
    expect(await response.json()).toMatchObject({ reason: 'ended', status: 410 });
    expect(response.headers.get('retry-after')).toBeNull();
    expect(cookiesNamed(response)).toEqual([]);
    expect(await store.inner.load(created.id)).toBeNull();
  });
});

describe('sessionMiddleware without Express (plain node:http, Connect style)', () => {
  it('works on bare IncomingMessage/ServerResponse and types req.session through SessionRequest', async () => {
    const { createServer } = await import('node:http');
    const { SessionRepository } = await import('../../runtime/core/repository.js');
    const { sessionMiddleware } = await import('../../runtime/web/express.js');
    const { fixtureDescriptor } = await import('./fixture-descriptor.js');
    const { RecordingStore } = await import('./helpers.js');
    type SessionRequest = import('../../runtime/web/express.js').SessionRequest<import('../../runtime/core/session.js').Session<import('./fixture-descriptor.js').FixtureAttributes>>;
    const store = new RecordingStore();
    store.writeDelayMs = 100;
    const middleware = sessionMiddleware({ repository: new SessionRepository(fixtureDescriptor, store) });
    const server = createServer((req, res) => {
      middleware(req, res, async () => {
        const session = await (req as SessionRequest).session.get();
        session.set('counter', 5);
        res.writeHead(303, { Location: '/next' });
        res.end();
      });
    });
    running = await listen({ listen: (port, callback) => server.listen(port, callback) });
    const response = await fetch(running.url + '/', { redirect: 'manual' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/next');
    const id = cookieValue(response);
    expect((await store.inner.load(id))?.attributes).toEqual({ counter: 5 });
  });
});
