/**
 * Hostile input, property-based (fast-check): generated Cookie and X-Auth-Token values (oversized,
 * duplicated, bad base64, control characters, unicode, near-UUIDs) through every integration.
 * Never a 500; never a store call with an id `uuidSessionIdGenerator.isValid` rejects (the store
 * is wrapped and records any). Per integration more than 10,000 values: Express all over a real
 * socket (raw bytes, keep-alive), Fastify through inject() plus a real-socket pass, Fetch/Hono
 * in-process plus a real-socket pass.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieSessionIdResolver, HeaderSessionIdResolver, MemorySessionStore, uuidSessionIdGenerator, type SessionIdResolver } from '@sessiongen/runtime';
import { AppSessionRepository, appSessionDescriptor } from '../../generated/index.js';
import { RawClient } from './raw-client.js';
import { INTEGRATIONS, startServer, type Integration, type RunningServer } from './servers.js';
import { InstrumentedStore } from './stores.js';

const RUNS_PER_RESOLVER = 3_400; // × 3 resolvers = 10,200 values per integration
const SOCKET_RUNS_PER_RESOLVER = 200; // the real-socket pass of the in-process integrations

const uuid = fc.uuid();
const piece: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }), // any code point: controls, lone surrogates, astral
  fc.string({ unit: 'grapheme', maxLength: 20 }), // unicode text
  fc.constantFrom('!!!!', '====', 'Zg=', 'Zg', '//79', 'Kj9b', '+/+/', 'a=b=c', '""', '"', ';', ',', '\\', '%00', '*', '?', '[', '{x}', '../..'),
  uuid,
  uuid.map((id) => Buffer.from(id).toString('base64')), // valid base64 of a (missing) UUID
  uuid.map((id) => Buffer.from(id).toString('base64').replace(/=+$/, '')),
  uuid.map((id) => id.toUpperCase()),
  fc.tuple(uuid, fc.string({ unit: 'binary', minLength: 1, maxLength: 3 })).map(([id, junk]) => id + junk),
  fc.integer({ min: 257, max: 12_000 }).map((n) => 'f'.repeat(n)), // oversized
  fc.tuple(uuid, fc.integer({ min: 200, max: 9_000 })).map(([id, n]) => id + 'A'.repeat(n)),
);
/** A whole Cookie header: pairs, duplicates, other names, stray separators. */
const cookieHeader: fc.Arbitrary<string> = fc.oneof(
  piece.map((value) => `SESSION=${value}`),
  fc.array(fc.oneof(piece.map((value) => `SESSION=${value}`), piece.map((value) => `other=${value}`), piece), { minLength: 1, maxLength: 8 }).map((pairs) => pairs.join('; ')),
  fc.tuple(piece, fc.integer({ min: 2, max: 120 })).map(([value, n]) => Array(n).fill(`SESSION=${value}`).join('; ')), // duplicated
  fc.tuple(uuid, fc.integer({ min: 2, max: 60 })).map(([id, n]) => Array.from({ length: n }, (_, i) => `SESSION=${id.slice(0, -2)}${(i % 256).toString(16).padStart(2, '0')}`).join('; ')),
);

interface Case {
  route: 'GET /session' | 'POST /counter';
  cookie: string;
  token: string;
  /** Send the Cookie header twice (Node joins them). */
  twice: boolean;
}
const hostileCase: fc.Arbitrary<Case> = fc.record({
  route: fc.constantFrom('GET /session' as const, 'POST /counter' as const),
  cookie: cookieHeader,
  token: piece,
  twice: fc.boolean(),
});

/** Bytes on the wire: the value's UTF-8 (lone surrogates become U+FFFD). */
const bytes = (text: string) => Buffer.from(text, 'utf8');
/**
 * What a Node server can hand an app: the bytes as latin1 text, without the control characters
 * Node's parser refuses, trimmed (as header values are).
 */
const deliverable = (text: string) => bytes(text).toString('latin1').replace(/[\x00-\x08\x0a-\x1f\x7f]/g, '').trim();

const RESOLVERS: Array<[string, () => SessionIdResolver]> = [
  ['cookie', () => new CookieSessionIdResolver()],
  ['base64 cookie', () => new CookieSessionIdResolver({ encoding: 'base64' })],
  ['X-Auth-Token', () => new HeaderSessionIdResolver()],
];

function check(status: number, body: string, route: Case['route']): void {
  expect(status, body.slice(0, 200)).toBeLessThan(500);
  // Node's parser refused the bytes (400) or the header size (431, over 16 KiB) before any app code ran.
  if (status === 400 || status === 431) return;
  expect(status).toBe(200);
  const parsed = JSON.parse(body) as { id: string | null };
  if (route === 'GET /session') expect(parsed.id).toBeNull();
  else expect(uuidSessionIdGenerator.isValid(parsed.id!)).toBe(true);
}

describe.each(INTEGRATIONS)('hostile cookie and header values through %s', (integration: Integration) => {
  for (const [label, makeResolver] of RESOLVERS) {
    describe(`with the ${label} resolver`, () => {
      let store: InstrumentedStore;
      let server: RunningServer;
      let raw: RawClient;
      beforeAll(async () => {
        store = new InstrumentedStore(new MemorySessionStore(appSessionDescriptor, { sweepIntervalMs: 0 }));
        server = await startServer(integration, new AppSessionRepository(store), { resolver: makeResolver() });
        raw = new RawClient(server.port);
      });
      afterAll(async () => {
        raw.close();
        await server.close();
      });

      const overSocket = async (c: Case) => {
        const [method, path] = c.route.split(' ');
        // A CRLF inside a value would end the header line: the client itself would be composing
        // extra headers or a second request. Bare CR and bare LF stay (the parser must refuse them).
        const bytes = (text: string) => Buffer.from(text.replace(/\r\n/g, '\n'), 'utf8');
        const lines = [Buffer.concat([Buffer.from('Cookie: '), bytes(c.cookie)]), Buffer.concat([Buffer.from('X-Auth-Token: '), bytes(c.token)])];
        if (c.twice) lines.push(Buffer.concat([Buffer.from('Cookie: '), bytes(c.cookie)]));
        const { status, body } = await raw.send(method, path, lines);
        const size = lines.reduce((sum, line) => sum + line.length + 2, 0);
        // A server may refuse bytes its parser rejects (control characters, headers over 16 KiB) by
        // resetting the connection (Fastify destroys the socket right after its 400), which can
        // discard the answer: accepted for those requests only.
        const refusable = size > 16 * 1024 || lines.some((line) => /[\x00-\x08\x0a-\x1f\x7f]/.test(line.toString('latin1')));
        if (status === 0 && refusable) return;
        check(status, body, c.route);
      };

      const inProcess = async (c: Case) => {
        const [method, path] = c.route.split(' ');
        const cookie = deliverable(c.twice ? `${c.cookie}; ${c.cookie}` : c.cookie);
        const headers: Record<string, string> = {};
        if (cookie) headers.cookie = cookie;
        const token = deliverable(c.token);
        if (token) headers['x-auth-token'] = token;
        const { status, body } = await server.request(method, path, headers);
        check(status, body, c.route);
      };

      if (integration === 'express') {
        it(`${RUNS_PER_RESOLVER} generated values over a real socket: never a 500, no unchecked id reaches the store`, async () => {
          await fc.assert(fc.asyncProperty(hostileCase, overSocket), { numRuns: RUNS_PER_RESOLVER });
          expect(store.invalidIds).toEqual([]);
        }, 180_000);
      } else {
        it(`${RUNS_PER_RESOLVER} generated values in-process (${integration === 'fastify' ? 'inject()' : 'Fetch call'}): never a 500, no unchecked id reaches the store`, async () => {
          await fc.assert(fc.asyncProperty(hostileCase, inProcess), { numRuns: RUNS_PER_RESOLVER });
          expect(store.invalidIds).toEqual([]);
        }, 180_000);
        it(`${SOCKET_RUNS_PER_RESOLVER} generated values over a real socket`, async () => {
          await fc.assert(fc.asyncProperty(hostileCase, overSocket), { numRuns: SOCKET_RUNS_PER_RESOLVER });
          expect(store.invalidIds).toEqual([]);
        }, 180_000);
      }

      it('the store did see ids: the property is not vacuous', () => {
        expect(store.calls.some((call) => call.op === 'write')).toBe(true);
      });
    });
  }
});
