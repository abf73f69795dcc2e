import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidSessionIdGenerator } from '../../runtime/core/ids.js';
import { CookieSessionIdResolver } from '../../runtime/web/cookie-resolver.js';
import { MAX_SESSION_ID_CANDIDATES } from '../../runtime/web/id-resolver.js';
import { makeApp } from './app.js';
import { listen, rawRequest, type Running } from './helpers.js';

/** Cookie headers no client should send; none may cause a 500 or reach the store unchecked. */
const hostileHeaders: Array<[string, Buffer]> = [
  ['10 kB value', Buffer.from('SESSION=' + 'a'.repeat(10_000))],
  ['10 kB valid-looking prefix', Buffer.from('SESSION=33fdd1b6-b496-4b33-9f7d-df96679d32fe' + 'f'.repeat(10_000))],
  ['control characters', Buffer.from('SESSION=\x01\x02\x7fabc')],
  ['tab inside', Buffer.from('SESSION=33fdd1b6-b496-4b33-9f7d-\tdf96679d32fe')],
  ['non-UTF-8 bytes', Buffer.concat([Buffer.from('SESSION='), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x80])])],
  ['glob characters', Buffer.from('SESSION=*; SESSION=?; SESSION=[; SESSION=33fdd1b6-*; SESSION=a?b[c]')],
  ['bare LF in header', Buffer.from('SESSION=abc\nX-Evil: 1')],
  ['obs-fold continuation', Buffer.from('SESSION=abc\r\n continued')],
  ['CR inside value', Buffer.from('SESSION=ab\rcd')],
  ['NUL byte', Buffer.from('SESSION=ab\x00cd')],
  ['bad base64', Buffer.from('SESSION=!!!!; SESSION=abc; SESSION=====; SESSION=Zg=; SESSION=//79; SESSION=Kj9b')],
  [
    '100 duplicate cookies',
    Buffer.from(Array.from({ length: 100 }, () => `SESSION=${uuidSessionIdGenerator.generate()}`).join('; ')),
  ],
  ['100 duplicate junk cookies', Buffer.from(Array.from({ length: 100 }, (_, i) => `SESSION=junk${i}`).join('; '))],
  ['quoted and empty values', Buffer.from('SESSION=""; SESSION="; SESSION=; =SESSION; SESSION; ;;;')],
  ['upper-case uuid', Buffer.from('SESSION=33FDD1B6-B496-4B33-9F7D-DF96679D32FE')],
  ['uuid with SQL', Buffer.from("SESSION=33fdd1b6-b496-4b33-9f7d-df96679d32fe'--")],
  ['percent-encoded', Buffer.from('SESSION=33fdd1b6%2Db496-4b33-9f7d-df96679d32fe')],
  ['unicode', Buffer.from('SESSION=ünïcødé-☃', 'utf8')],
];

describe.each([
  ['plain', new CookieSessionIdResolver()],
  ['base64', new CookieSessionIdResolver({ encoding: 'base64' })],
])('hostile cookies, %s encoding', (_label, resolver) => {
  let running: Running;
  let made: ReturnType<typeof makeApp>;
  beforeAll(async () => {
    made = makeApp({ resolver });
    running = await listen(made.app);
  });
  afterAll(() => running.close());

  for (const [label, cookie] of hostileHeaders) {
    for (const route of ['GET /session', 'POST /counter']) {
      it(`${label} on ${route}: no 500, no unchecked id reaches the store`, async () => {
        const [method, path] = route.split(' ');
        const head = Buffer.concat([
          Buffer.from(`${method} ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: 0\r\nCookie: `),
          cookie,
          Buffer.from('\r\n\r\n'),
        ]);
        const { status, text } = await rawRequest(running.port, head);
        expect(status).not.toBe(0);
        expect(status).toBeLessThan(500);
        if (status === 200) {
          const body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as { id: string | null };
          if (route === 'GET /session') expect(body.id).toBeNull();
          else expect(uuidSessionIdGenerator.isValid(body.id!)).toBe(true);
        } else {
          // Node's parser refused the bytes before any app code ran.
          expect(status).toBe(400);
        }
        expect(made.store.invalidIds).toEqual([]);
      });
    }
  }

  it(`the 100 duplicate valid-looking cookies cost at most ${MAX_SESSION_ID_CANDIDATES} store lookups`, async () => {
    made.store.calls.length = 0;
    const cookies = Array.from({ length: 100 }, () => `SESSION=${resolver.encode(uuidSessionIdGenerator.generate())}`);
    const response = await fetch(`${running.url}/session`, { headers: { cookie: cookies.join('; ') } });
    expect(await response.json()).toEqual({ id: null });
    expect(made.store.calls.filter((call) => call.op === 'load')).toHaveLength(MAX_SESSION_ID_CANDIDATES);
  });

  it('a valid session cookie after junk still works', async () => {
    const created = await fetch(`${running.url}/counter`, { method: 'POST' });
    const { id } = (await created.json()) as { id: string };
    const value = resolver.encode(id);
    const response = await fetch(`${running.url}/session`, {
      headers: { cookie: `SESSION=*; SESSION=${'x'.repeat(300)}; SESSION=!!; SESSION=${value}` },
    });
    expect(((await response.json()) as { id: string }).id).toBe(id);
    expect(made.store.invalidIds).toEqual([]);
  });
});
