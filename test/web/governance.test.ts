/**
 * Session governance through every integration (Express, Fastify, Fetch/Hono) over SQLite and
 * Redis: store writes per 1,000 read-only requests with and without a touch interval, the device
 * each request records (proxy-aware only with `trustProxy`), and a refused login answered 403
 * with nothing changed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RepositoryOptions } from '@sessiongen/runtime';
import { INTEGRATIONS, startServer, type Integration, type RunningServer, type ServerOptions } from './servers.js';
import { openRepository, STORE_KINDS, type OpenedRepository, type StoreKind } from './stores.js';

const REQUESTS = 1_000;
/** The time between two read-only requests of one client (ms): 1,000 of them span 100 s. */
const SPACING_MS = 100;

/** A clock the test moves forward between requests: the real time plus an offset. */
function movableClock() {
  let offset = 0;
  return { clock: () => Date.now() + offset, advance: (ms: number) => void (offset += ms) };
}

const cookieOf = (setCookie: string[]) => {
  const line = setCookie.find((each) => each.startsWith('SESSION='));
  if (!line) throw new Error(`no SESSION cookie in ${JSON.stringify(setCookie)}`);
  return line.slice('SESSION='.length).split(';')[0]!;
};

/** A repository (instrumented store) and a server for one integration, closed after the block. */
function serving(kind: StoreKind, integration: Integration, options: RepositoryOptions, server: ServerOptions = {}) {
  const running = {} as { opened: OpenedRepository; server: RunningServer };
  beforeAll(async () => {
    running.opened = await openRepository(kind, options);
    running.server = await startServer(integration, running.opened.repository, server);
  });
  afterAll(async () => {
    await running.server?.close();
    await running.opened?.close();
  });
  return running;
}

for (const kind of STORE_KINDS) {
  for (const integration of INTEGRATIONS) {
    describe(`writes per ${REQUESTS} read-only requests: ${integration} on ${kind}`, () => {
      const time = movableClock();
      const every = serving(kind, integration, { touchInterval: 0, clock: time.clock });
      const throttled = serving(kind, integration, { touchInterval: 60, clock: time.clock });

      /** Creates a session, then sends `REQUESTS` requests, `SPACING_MS` apart, that only read it; returns the store writes they caused. */
      const writesOf = async (running: typeof every) => {
        const created = await running.server.request('POST', '/counter', {});
        const cookie = `SESSION=${cookieOf(created.setCookie)}`;
        running.opened.store.calls.length = 0;
        for (let i = 0; i < REQUESTS; i++) {
          time.advance(SPACING_MS);
          const response = await running.server.request('GET', '/session', { cookie });
          if (response.status !== 200) throw new Error(`GET /session answered ${response.status}`);
        }
        return running.opened.store.calls.filter((call) => call.op === 'write').length;
      };

      it('touchInterval 0 writes on every request; touchInterval 60 s writes once per 60 s', async () => {
        const before = await writesOf(every);
        const after = await writesOf(throttled);
        console.log(
          `${integration} on ${kind}: store writes per ${REQUESTS} read-only requests (${SPACING_MS} ms apart): ${before} without a touch interval, ${after} with touchInterval 60 s`,
        );
        expect(before).toBe(REQUESTS);
        // 100 s of requests: the access time is written once, 60 s after the session was created.
        expect(after).toBe(Math.floor((REQUESTS * SPACING_MS) / 60_000));
      }, 60_000);
    });
  }
}

for (const integration of INTEGRATIONS) {
  describe(`devices and refused logins: ${integration} on sqlite`, () => {
    const plain = serving('sqlite', integration, {});
    const proxied = serving('sqlite', integration, {}, { trustProxy: 1 });
    const refusing = serving('sqlite', integration, { maxSessionsPerPrincipal: { max: 1, policy: 'refuse' } });
    const headers = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0', 'x-forwarded-for': '198.51.100.23, 203.0.113.7' };

    it('records the user agent and the peer address; X-Forwarded-For only with trustProxy', async () => {
      const overSocket = async (running: typeof plain) => {
        const response = await fetch(running.server.url + '/counter', { method: 'POST', headers });
        return (await running.opened.repository.findById(cookieOf(response.headers.getSetCookie())))!.device;
      };
      expect(await overSocket(plain)).toEqual({ userAgent: headers['user-agent'], address: '127.0.0.1', lastSeen: expect.any(Number) });
      // Trusting one proxy (the peer): the address that proxy saw connect, the last one it appended.
      expect(await overSocket(proxied)).toMatchObject({ address: '203.0.113.7' });
      // In process: Fastify's inject has a loopback peer; a bare Fetch call has none, so no address.
      const inProcess = await plain.server.request('POST', '/counter', headers);
      const device = (await plain.opened.repository.findById(cookieOf(inProcess.setCookie)))!.device!;
      expect(device.userAgent).toBe(headers['user-agent']);
      expect(device.address).toBe(integration === 'hono' ? null : '127.0.0.1');
    });

    it('a refused login answers 403 JSON without a cookie, and leaves the pre-login session as it was', async () => {
      const principal = `refused-${integration}-${Date.now()}`;
      const first = await refusing.server.request('POST', `/login?user=${principal}`, {});
      expect(first.status).toBe(200);
      const visitor = await refusing.server.request('POST', '/counter', {});
      const visitorId = cookieOf(visitor.setCookie);
      const stored = await refusing.opened.raw.load(visitorId);
      const login = await refusing.server.request('POST', `/login?user=${principal}`, { cookie: `SESSION=${visitorId}` });
      expect(login.status).toBe(403);
      expect(JSON.parse(login.body)).toEqual({ error: expect.stringMatching(/already has 1 active session/), reason: 'too-many-sessions', status: 403 });
      expect(login.setCookie).toEqual([]);
      expect(await refusing.opened.raw.load(visitorId)).toEqual(stored);
      const again = await refusing.server.request('GET', '/session', { cookie: `SESSION=${visitorId}` });
      expect(JSON.parse(again.body)).toMatchObject({ id: visitorId, attributes: { lastLoginAt: 1 } });
    });
  });
}
