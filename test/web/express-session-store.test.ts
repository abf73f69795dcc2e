/**
 * The express-session Store adapter, driven by express-session itself (1.19) over real HTTP and
 * called directly (callbacks and Promises), on SQLite and Redis, typed by @types/express-session
 * (this file is type-checked in tsconfig.express-session.json, apart from the Express integration).
 */
import express from 'express';
import session from 'express-session';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InvalidAttributeError, MemorySessionStore, SessionLimitError, SessionRepository, type SessionDescriptor, type SessionEvent } from '@sessiongen/runtime';
import { createExpressSessionStore, isDefaultExpressSessionId, type SessiongenExpressSessionStore } from '@sessiongen/runtime/express-session';
import { appSessionDescriptor } from '../../generated/index.js';
import { listen } from './helpers.js';
import { openRepository, STORE_KINDS, type OpenedRepository } from './stores.js';

declare module 'express-session' {
  interface SessionData {
    principalName?: string;
    lastLoginAt?: number;
    roles?: string[];
    tenantId?: string;
    locale?: string;
    [draft: `draft:${string}`]: string | undefined;
  }
}

/** For the routes that set properties by name from the URL. */
const byName = (data: object) => data as Record<string, unknown>;

const SECRET = 'sessiongen express-session adapter test secret';

for (const kind of STORE_KINDS) {
  describe(`express-session with the sessiongen store on ${kind}`, () => {
    let opened: OpenedRepository;
    let store: SessiongenExpressSessionStore;
    const events: SessionEvent[] = [];
    let url: string;
    let close: () => Promise<void>;
    const errors: unknown[] = [];

    beforeAll(async () => {
      opened = await openRepository(kind);
      store = createExpressSessionStore(session, opened.repository);
      for (const type of ['created', 'deleted'] as const) opened.repository.on(type, (event) => events.push(event));
      const app = express();
      // The one line an express-session app changes: `store:`.
      // genid: UUIDs, so the sessions are also the app's typed sessiongen sessions (findById checks ids).
      app.use(session({ secret: SECRET, resave: false, saveUninitialized: false, rolling: true, store, cookie: { maxAge: 600_000 }, genid: () => crypto.randomUUID() }));
      app.post('/views', (req, res) => {
        req.session.lastLoginAt = (req.session.lastLoginAt ?? 0) + 1;
        res.json({ id: req.sessionID, views: req.session.lastLoginAt });
      });
      app.get('/views', (req, res) => {
        res.json({ id: req.sessionID, views: req.session.lastLoginAt ?? null });
      });
      app.post('/set/:name', express.json({ strict: false }), (req, res) => {
        byName(req.session)[String(req.params.name)] = req.body;
        res.status(204).end();
      });
      app.post('/draft/:n', async (req, res) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        byName(req.session)[`draft:${req.params.n}`] = `text ${req.params.n}`;
        res.status(204).end();
      });
      app.post('/login', (req, res, next) => {
        const old = req.session.lastLoginAt;
        req.session.regenerate((err) => {
          if (err) return next(err);
          req.session.principalName = 'erin';
          req.session.lastLoginAt = old;
          res.json({ id: req.sessionID });
        });
      });
      app.post('/logout', (req, res, next) => {
        req.session.destroy((err) => (err ? next(err) : res.status(204).end()));
      });
      app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
        errors.push(err);
        if (res.headersSent) return;
        res.status(err instanceof InvalidAttributeError ? 400 : 500).json({ error: String((err as Error).message) });
      });
      ({ url, close } = await listen(app));
    });
    afterAll(async () => {
      await close?.();
      await opened?.close();
    });
    beforeEach(async () => {
      await store.clear();
    });

    const post = (path: string, cookie?: string, body?: string) =>
      fetch(url + path, { method: 'POST', headers: { ...(cookie ? { cookie } : {}), ...(body ? { 'content-type': 'application/json' } : {}) }, body });
    const cookieOf = (response: Response) => response.headers.getSetCookie().find((line) => line.startsWith('connect.sid='))!.split(';')[0];

    it('stores express-session data as typed sessiongen attributes, and loads it back', async () => {
      const first = await post('/views');
      const cookie = cookieOf(first);
      const { id } = (await first.json()) as { id: string };
      expect(await (await post('/views', cookie)).json()).toEqual({ id, views: 2 });
      const typed = await opened.repository.findById(id);
      expect(typed?.get('lastLoginAt')).toBe(2);
      expect(typed?.maxInactiveInterval).toBe(600);
      expect(await (await fetch(url + '/views', { headers: { cookie } })).json()).toEqual({ id, views: 2 });
      expect(opened.store.invalidIds).toEqual([]);
    });

    it('a value the schema rejects fails the save loudly (to the error handler) and stores nothing', async () => {
      errors.length = 0;
      // express-session saves inside res.end and hands the failure to next() as the response ends.
      await post('/set/locale', undefined, JSON.stringify(42));
      await post('/set/notInTheSchema', undefined, JSON.stringify('x'));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(errors).toHaveLength(2);
      expect(errors.every((err) => err instanceof InvalidAttributeError)).toBe(true);
      expect((errors[0] as InvalidAttributeError).path).toBe('/locale');
      expect(await store.length()).toBe(0);
    });

    it('regenerate destroys the old session, the new one is indexed by principal; destroy deletes', async () => {
      const first = await post('/views');
      const { id: oldId } = (await first.json()) as { id: string };
      const login = await post('/login', cookieOf(first));
      const { id } = (await login.json()) as { id: string };
      expect(id).not.toBe(oldId);
      expect(await store.get(oldId)).toBeNull();
      expect([...(await opened.repository.findByPrincipalName('erin')).keys()]).toEqual([id]);
      const logout = await post('/logout', cookieOf(login));
      expect(logout.status).toBe(204);
      expect(await store.get(id)).toBeNull();
      expect((await opened.repository.findByPrincipalName('erin')).size).toBe(0);
    });

    it('rolling requests that change nothing call touch, which extends the session without rewriting data', async () => {
      const first = await post('/views');
      const cookie = cookieOf(first);
      const { id } = (await first.json()) as { id: string };
      const before = (await opened.raw.load(id))!;
      await new Promise((resolve) => setTimeout(resolve, 10));
      opened.store.calls.length = 0;
      await fetch(url + '/views', { headers: { cookie } });
      const writes = opened.store.calls.filter((call) => call.op === 'write');
      expect(writes).toHaveLength(1);
      const after = (await opened.raw.load(id))!;
      expect(after.lastAccessedTime).toBeGreaterThan(before.lastAccessedTime);
      expect(after.attributes).toEqual(before.attributes);
    });

    it('concurrent requests changing different properties of one session all win', async () => {
      const first = await post('/views');
      const cookie = cookieOf(first);
      const { id } = (await first.json()) as { id: string };
      await Promise.all(Array.from({ length: 10 }, (_, n) => post(`/draft/${n}`, cookie)));
      const attributes = (await opened.raw.load(id))!.attributes;
      for (let n = 0; n < 10; n++) expect(attributes[`draft:${n}`]).toBe(`text ${n}`);
      expect(attributes.lastLoginAt).toBe(1);
    });

    it('the Store API directly: get, set, touch, destroy, all, ids, length, clear, with Promises', async () => {
      const a = '0123456789abcdefABCDEF_-01234567';
      const b = crypto.randomUUID();
      const cookie = { originalMaxAge: 60_000, path: '/', httpOnly: true };
      await store.set(a, { cookie, principalName: 'ann', roles: ['admin'] });
      await store.set(b, { cookie: { ...cookie, originalMaxAge: null }, tenantId: 't1' });
      const got = (await store.get(a))!;
      expect(got).toMatchObject({ principalName: 'ann', roles: ['admin'], cookie: { originalMaxAge: 60_000, path: '/', httpOnly: true } });
      expect(Date.parse(String(got.cookie.expires))).toBeGreaterThan(Date.now() + 50_000);
      expect((await opened.repository.findById(b))?.maxInactiveInterval).toBe(opened.repository.defaultMaxInactiveInterval);
      expect((await store.ids()).sort()).toEqual([a, b].sort());
      expect(await store.length()).toBe(2);
      const all = await store.all();
      expect(all.map((s) => s.id).sort()).toEqual([a, b].sort());
      expect(all.find((s) => s.id === b)).toMatchObject({ tenantId: 't1' });
      await store.set(a, { cookie, principalName: 'ann' }); // roles removed
      expect((await store.get(a))!.roles).toBeUndefined();
      await store.touch(a, { cookie: { ...cookie, originalMaxAge: 120_000 }, principalName: 'ann' });
      expect((await opened.raw.load(a))?.maxInactiveInterval).toBe(120);
      await store.destroy(a);
      expect(await store.get(a)).toBeNull();
      expect(await store.length()).toBe(1);
      await store.clear();
      expect(await store.length()).toBe(0);
      expect(await store.all()).toEqual([]);
    });

    it('the Store API with callbacks, and ids that are neither UUIDs nor express-session ids never reach the store', async () => {
      const id = crypto.randomUUID();
      const cookie = { originalMaxAge: 60_000 };
      await new Promise<void>((resolve, reject) => store.set(id, { cookie, locale: 'de-DE' }, (err) => (err ? reject(err) : resolve())));
      const got = await new Promise((resolve, reject) => store.get(id, (err, value) => (err ? reject(err) : resolve(value))));
      expect(got).toMatchObject({ locale: 'de-DE' });
      const count = await new Promise((resolve, reject) => store.length((err, n) => (err ? reject(err) : resolve(n))));
      expect(count).toBe(1);
      const rejected = await new Promise<unknown>((resolve) => store.set('../../x', { cookie }, (err) => resolve(err)));
      expect(rejected).toBeInstanceOf(TypeError);
      const missing = await new Promise((resolve, reject) => store.get('*', (err, value) => (err ? reject(err) : resolve(value))));
      expect(missing).toBeNull();
      await new Promise<void>((resolve, reject) => store.destroy(id, (err) => (err ? reject(err) : resolve())));
      expect(await store.get(id)).toBeNull();
      expect(opened.store.invalidIds.filter((bad) => bad !== '0123456789abcdefABCDEF_-01234567')).toEqual([]);
    });

    it('rounds the cookie\'s maxAge up to whole seconds, and gives cookie.expires back as lastAccessedTime + timeout', async () => {
      const id = crypto.randomUUID();
      await store.set(id, { cookie: { originalMaxAge: 1_500, path: '/', httpOnly: true } });
      const stored = (await opened.raw.load(id))!;
      expect(stored.maxInactiveInterval).toBe(2);
      const got = (await store.get(id))!;
      expect(got.cookie.originalMaxAge).toBe(2_000);
      expect(got.cookie.expires).toBe(new Date(stored.lastAccessedTime + 2_000).toISOString());
      // A plain object with only maxAge (the remaining time), and a cookie without either.
      await store.set(id, { cookie: { originalMaxAge: null, maxAge: 59_001 } });
      expect((await opened.raw.load(id))!.maxInactiveInterval).toBe(60);
      await store.set(id, { cookie: { originalMaxAge: null } });
      expect((await opened.raw.load(id))!.maxInactiveInterval).toBe(1800);
      expect((await store.get(id))!.cookie).toMatchObject({ originalMaxAge: 1_800_000, path: '/', httpOnly: true, secure: false });
    });

    it('emits the repository\'s created event on the first save and deleted on destroy', async () => {
      events.length = 0;
      const id = crypto.randomUUID();
      await store.set(id, { cookie: { originalMaxAge: 60_000 }, locale: 'fr-FR' });
      await store.set(id, { cookie: { originalMaxAge: 60_000 }, locale: 'de-DE' });
      await store.destroy(id);
      await store.destroy(id);
      expect(events).toEqual([
        { type: 'created', sessionId: id },
        { type: 'deleted', sessionId: id },
      ]);
    });

    it('a late save of a session destroyed meanwhile writes nothing (no resurrection)', async () => {
      const id = crypto.randomUUID();
      await store.set(id, { cookie: { originalMaxAge: 60_000 }, locale: 'fr-FR' });
      const loaded = (await store.get(id))!;
      await store.destroy(id);
      loaded.locale = 'de-DE';
      await store.set(id, loaded);
      await store.touch(id, loaded);
      expect(await opened.raw.load(id)).toBeNull();
    });

    it('refuses a save past the limits or with a maxAge over 10 years; a stored invalid value is not loaded and stays stored', async () => {
      const id = crypto.randomUUID();
      const cookie = { originalMaxAge: 60_000 };
      const big = 'x'.repeat(20_000);
      await store.set(id, { cookie, 'draft:a': big, 'draft:b': big, 'draft:c': big });
      const refused = await store.set(id, { cookie, 'draft:a': big, 'draft:b': big, 'draft:c': big, 'draft:d': big }).catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(SessionLimitError);
      expect(refused).toMatchObject({ limit: 'maxSessionBytes', path: '/draft:d', status: 413 });
      await expect(store.set(id, { cookie: { originalMaxAge: 2 ** 31 * 1000 }, 'draft:a': 'x' })).rejects.toBeInstanceOf(RangeError);
      expect(Object.keys((await opened.raw.load(id))!.attributes).sort()).toEqual(['draft:a', 'draft:b', 'draft:c']);

      // Planted past the schema, straight through the store.
      const now = Date.now();
      const planted = { roles: ['java.util.ArrayList', ['admin']], isAdmin: true };
      await opened.raw.write({
        id, isNew: false, creationTime: now, lastAccessedTime: now, maxInactiveInterval: 60, expiresAt: now + 60_000,
        set: planted, removed: [], indexes: { principalName: null, tenantId: null }, changedIndexes: [], now,
      });
      const seen: SessionEvent[] = [];
      const off = opened.repository.on('invalid-attribute', (event) => seen.push(event));
      const got = (await store.get(id))!;
      off();
      expect(Object.keys(got).sort()).toEqual(['cookie', 'draft:a', 'draft:b', 'draft:c']);
      expect(seen).toEqual([{ type: 'invalid-attribute', sessionId: id, attribute: 'roles', reason: '/1: must be string' }]);
      await store.set(id, { ...got, 'draft:a': 'shorter', 'draft:c': undefined });
      const stored = (await opened.raw.load(id))!.attributes;
      expect(stored).toMatchObject({ ...planted, 'draft:a': 'shorter', 'draft:b': big });
      expect('draft:c' in stored).toBe(false);
    });

    it('is an instance of express-session\'s Store', () => {
      expect(store).toBeInstanceOf(session.Store);
    });
  });

  describe(`express-session with its default ids on ${kind}`, () => {
    let opened: OpenedRepository;
    let store: SessiongenExpressSessionStore;
    let url: string;
    let close: () => Promise<void>;

    beforeAll(async () => {
      opened = await openRepository(kind);
      store = createExpressSessionStore(session, opened.repository);
      const app = express();
      app.use(session({ secret: SECRET, resave: false, saveUninitialized: false, store }));
      app.post('/login', (req, res) => {
        req.session.principalName = 'uma';
        res.json({ id: req.sessionID });
      });
      ({ url, close } = await listen(app));
    });
    afterAll(async () => {
      await close?.();
      await opened?.close();
    });

    it('stores sessions under express-session\'s uid-safe ids, which the app\'s UUID-only repository does not accept', async () => {
      const { id } = (await (await fetch(url + '/login', { method: 'POST' })).json()) as { id: string };
      expect(id).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(isDefaultExpressSessionId(id)).toBe(true);
      expect((await opened.raw.load(id))?.attributes).toEqual({ principalName: 'uma' });
      expect((await store.repository.findById(id))?.get('principalName')).toBe('uma');
      expect(await opened.repository.findById(id)).toBeNull();
      expect([...(await opened.repository.findByPrincipalName('uma')).keys()]).toEqual([id]);
      expect(await store.ids()).toEqual([id]);
    });
  });
}

describe('express-session store rules that depend on the schema and options', () => {
  const withAttributes = (extra: Partial<SessionDescriptor>): SessionDescriptor => ({ ...appSessionDescriptor, ...extra });

  it('accepts the ids isValidId accepts, and only those', async () => {
    const memory = new MemorySessionStore(appSessionDescriptor, { sweepIntervalMs: 0 });
    const store = createExpressSessionStore(session, new SessionRepository(appSessionDescriptor, memory), {
      isValidId: (id) => /^tenant-a\.[0-9a-f]{32}$/.test(id),
    });
    const id = `tenant-a.${'0f'.repeat(16)}`;
    await store.set(id, { cookie: { originalMaxAge: 60_000 }, locale: 'fr-FR' });
    expect((await store.get(id))?.locale).toBe('fr-FR');
    await expect(store.set(crypto.randomUUID(), { cookie: { originalMaxAge: 60_000 } })).rejects.toThrow(TypeError);
    expect(memory.size).toBe(1);
  });

  it('keeps the cookie\'s fields (not its timing) as the attribute `cookie` when the schema has one', async () => {
    const descriptor = withAttributes({
      attributes: { ...appSessionDescriptor.attributes, cookie: { name: 'cookie', validate: (value) => typeof value === 'object' && value !== null } },
    });
    const memory = new MemorySessionStore(descriptor, { sweepIntervalMs: 0 });
    const store = createExpressSessionStore(session, new SessionRepository(descriptor, memory));
    const id = crypto.randomUUID();
    await store.set(id, { cookie: { originalMaxAge: 60_000, expires: new Date(Date.now() + 60_000), path: '/app', domain: 'example.org', sameSite: 'strict', httpOnly: true } });
    expect((await memory.load(id))?.attributes).toEqual({ cookie: { path: '/app', domain: 'example.org', sameSite: 'strict', httpOnly: true } });
    expect((await store.get(id))?.cookie).toMatchObject({ path: '/app', domain: 'example.org', sameSite: 'strict', originalMaxAge: 60_000 });
  });

  it('takes any property where the schema accepts any name (open attributes), through the schema\'s own lookup', async () => {
    const anything = { prefix: '', pattern: /^/, validate: () => true };
    const descriptor = withAttributes({ patternAttributes: [anything] });
    const memory = new MemorySessionStore(descriptor, { sweepIntervalMs: 0 });
    const store = createExpressSessionStore(session, new SessionRepository(descriptor, memory));
    const id = crypto.randomUUID();
    const data = { cookie: { originalMaxAge: 60_000 }, views: 3, flash: { info: ['saved'] } };
    await store.set(id, data);
    expect((await memory.load(id))?.attributes).toMatchObject({ views: 3, flash: { info: ['saved'] } });
    expect(await store.get(id)).toMatchObject({ views: 3, flash: { info: ['saved'] } });
  });
});
