/** The Hono example (examples/hono) on @hono/node-server over real HTTP, on SQLite and Redis. */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppSessionRepository } from '../../generated/index.js';
import { createHonoFetch } from '../../examples/hono/app.js';
import { openRealStore, STORE_KINDS, type OpenedRealStore } from './stores.js';

for (const kind of STORE_KINDS) {
  describe(`Hono example on ${kind}`, () => {
    let opened: OpenedRealStore;
    let repository: AppSessionRepository;
    let url: string;
    let close: () => Promise<void>;
    let cookie: string | undefined;
    const send = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(url + path, {
        method,
        headers: { ...(cookie ? { cookie } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const setCookie = response.headers.getSetCookie()[0];
      if (setCookie) cookie = /Max-Age=0/.test(setCookie) ? undefined : setCookie.split(';')[0];
      const text = await response.text();
      return { status: response.status, setCookie, json: text ? JSON.parse(text) : undefined };
    };

    beforeAll(async () => {
      opened = await openRealStore(kind);
      repository = new AppSessionRepository(opened.raw);
      const server = serve({ fetch: createHonoFetch(repository), port: 0, hostname: '127.0.0.1' });
      await new Promise<void>((resolve) => (server.listening ? resolve() : server.once('listening', resolve)));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      close = () => new Promise((resolve) => server.close(() => resolve()));
    });
    afterAll(async () => {
      await close?.();
      await opened?.close();
    });

    it('runs the demo routes: no session, set attributes, reject bad values, login, list, logout', async () => {
      expect((await send('GET', '/api/session')).json).toEqual({ id: null, attributes: {} });
      expect(cookie).toBeUndefined();
      expect((await send('PUT', '/api/session/attributes/locale', 'de-DE')).status).toBe(204);
      const first = cookie!;
      expect(first).toMatch(/^SESSION=/);
      const bad = await send('PUT', '/api/session/attributes/roles', 'not-an-array');
      expect(bad.status).toBe(400);
      expect(bad.json.path).toBe('/roles');
      const session = await send('GET', '/api/session');
      expect(session.json.attributes).toEqual({ locale: 'de-DE' });
      const login = await send('POST', '/api/login', { principalName: `hono-${kind}` });
      expect(login.status).toBe(200);
      expect(cookie).toBe(`SESSION=${login.json.id}`);
      expect(cookie).not.toBe(first);
      const list = await send('GET', `/api/sessions?principalName=hono-${kind}`);
      expect(list.json.map((s: { id: string }) => s.id)).toEqual([login.json.id]);
      expect((await send('DELETE', '/api/session/attributes/locale')).status).toBe(204);
      expect((await send('GET', '/api/session')).json.attributes).toEqual({ principalName: `hono-${kind}`, lastLoginAt: expect.any(Number) });
      const logout = await send('POST', '/api/logout');
      expect(logout.status).toBe(204);
      expect(logout.setCookie).toMatch(/^SESSION=; Max-Age=0;/);
      expect(await repository.findById(login.json.id)).toBeNull();
    });
  });
}
