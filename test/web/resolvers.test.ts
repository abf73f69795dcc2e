import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { uuidSessionIdGenerator } from '../../runtime/core/ids.js';
import { CookieSessionIdResolver, decodeBase64, parseCookieValues } from '../../runtime/web/cookie-resolver.js';
import { HeaderSessionIdResolver } from '../../runtime/web/header-resolver.js';
import { MAX_SESSION_ID_CANDIDATES, resolverRequestFromRecord, type ResolverRequest } from '../../runtime/web/id-resolver.js';

const http = (headers: Record<string, string | string[]> = {}): ResolverRequest => resolverRequestFromRecord(headers, false);
const https = (headers: Record<string, string | string[]> = {}): ResolverRequest => resolverRequestFromRecord(headers, true);
const SPRING_ID = '33fdd1b6-b496-4b33-9f7d-df96679d32fe';
const SPRING_COOKIE = 'MzNmZGQxYjYtYjQ5Ni00YjMzLTlmN2QtZGY5NjY3OWQzMmZl';
const COOKIE_OCTETS = /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]+$/;

describe('CookieSessionIdResolver', () => {
  it('writes the default cookie, Secure only over TLS', () => {
    const resolver = new CookieSessionIdResolver();
    expect(resolver.write(SPRING_ID, http())).toEqual([
      { name: 'Set-Cookie', value: `SESSION=${SPRING_ID}; Path=/; HttpOnly; SameSite=Lax` },
    ]);
    expect(resolver.write(SPRING_ID, https())[0].value).toBe(`SESSION=${SPRING_ID}; Path=/; Secure; HttpOnly; SameSite=Lax`);
  });

  it('expires with attributes matching the write', () => {
    expect(new CookieSessionIdResolver().expire(http())).toEqual([
      { name: 'Set-Cookie', value: 'SESSION=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; HttpOnly; SameSite=Lax' },
    ]);
    const custom = new CookieSessionIdResolver({ name: 'sid', domain: 'example.com', path: '/app', sameSite: 'Strict', secure: true });
    expect(custom.expire(http())[0].value).toBe(
      'sid=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Domain=example.com; Path=/app; Secure; HttpOnly; SameSite=Strict',
    );
  });

  it('writes Max-Age and Expires in Spring order when maxAge is set', () => {
    const resolver = new CookieSessionIdResolver({ maxAge: 100, clock: () => Date.UTC(2019, 9, 7, 20, 10, 0), domain: 'example.com' });
    expect(resolver.write('abc', http())[0].value).toBe(
      'SESSION=abc; Max-Age=100; Expires=Mon, 07 Oct 2019 20:11:40 GMT; Domain=example.com; Path=/; HttpOnly; SameSite=Lax',
    );
  });

  it('secure: true/false/auto and trustProxy', () => {
    expect(new CookieSessionIdResolver({ secure: true }).isSecure(http())).toBe(true);
    expect(new CookieSessionIdResolver({ secure: false }).isSecure(https())).toBe(false);
    const auto = new CookieSessionIdResolver();
    expect(auto.isSecure(http({ 'x-forwarded-proto': 'https' }))).toBe(false);
    const proxied = new CookieSessionIdResolver({ trustProxy: true });
    expect(proxied.isSecure(http({ 'x-forwarded-proto': 'https' }))).toBe(true);
    expect(proxied.isSecure(http({ 'x-forwarded-proto': 'HTTPS, http' }))).toBe(true);
    expect(proxied.isSecure(http({ 'x-forwarded-proto': 'http, https' }))).toBe(false);
    expect(proxied.isSecure(http())).toBe(false);
  });

  it('sameSite false omits it; None forces Secure; bad options throw', () => {
    expect(new CookieSessionIdResolver({ sameSite: false }).write('a', http())[0].value).toBe('SESSION=a; Path=/; HttpOnly');
    expect(new CookieSessionIdResolver({ sameSite: 'None' }).write('a', http())[0].value).toBe(
      'SESSION=a; Path=/; Secure; HttpOnly; SameSite=None',
    );
    expect(() => new CookieSessionIdResolver({ sameSite: 'None', secure: false })).toThrow(/SameSite=None/);
    expect(() => new CookieSessionIdResolver({ name: 'a b' })).toThrow(/cookie name/);
    expect(() => new CookieSessionIdResolver({ domain: '.example.com' })).toThrow(/domain/);
    expect(() => new CookieSessionIdResolver({ path: '/a;b' })).toThrow(/path/);
    expect(() => new CookieSessionIdResolver({ maxAge: 1.5 })).toThrow(/whole seconds/);
  });

  it("base64 encodes Spring's example and decodes it back", () => {
    const resolver = new CookieSessionIdResolver({ encoding: 'base64' });
    expect(resolver.write(SPRING_ID, http())[0].value).toBe(`SESSION=${SPRING_COOKIE}; Path=/; HttpOnly; SameSite=Lax`);
    expect(resolver.resolve(http({ cookie: `SESSION=${SPRING_COOKIE}` }))).toEqual([SPRING_ID]);
    expect(resolver.resolve(http({ cookie: `SESSION=${SPRING_ID}` }))).toEqual([]);
  });

  it('decodeBase64 accepts canonical base64 (padding optional) of UTF-8 only', () => {
    expect(decodeBase64('Zm9v')).toBe('foo');
    expect(decodeBase64('Zm8=')).toBe('fo');
    expect(decodeBase64('Zm8')).toBe('fo');
    expect(decodeBase64('Zg==')).toBe('f');
    expect(decodeBase64('Zg=')).toBeUndefined();
    expect(decodeBase64('Zh==')).toBeUndefined(); // non-zero trailing bits: not canonical
    expect(decodeBase64('Z')).toBeUndefined();
    expect(decodeBase64('//79')).toBeUndefined(); // 0xff 0xfe 0xfd is not UTF-8
    expect(decodeBase64('Zm9v-_')).toBeUndefined(); // base64url alphabet
    expect(decodeBase64('====')).toBeUndefined();
  });

  it('reads all cookies of its name in order, deduplicated, skipping other names and malformed pairs', () => {
    const resolver = new CookieSessionIdResolver();
    expect(
      resolver.resolve(http({ cookie: 'a=1; SESSION=first; junk; =x; session=lower; SESSION="second"; SESSION=first; SESSION=third' })),
    ).toEqual(['first', 'second', 'third']);
    expect(resolver.resolve(http({ cookie: ['SESSION=one', 'SESSION=two'] }))).toEqual(['one', 'two']);
    expect(resolver.resolve(http())).toEqual([]);
  });

  it('ignores values that are too long or not cookie-octets, and looks at only 8 KiB of the header', () => {
    const resolver = new CookieSessionIdResolver();
    expect(resolver.resolve(http({ cookie: `SESSION=${'a'.repeat(257)}; SESSION=${'b'.repeat(256)}` }))).toEqual(['b'.repeat(256)]);
    expect(resolver.resolve(http({ cookie: 'SESSION=a\\b; SESSION=a,b; SESSION=\u00e9; SESSION=a\u0001' }))).toEqual([]);
    const padding = `pad=${'x'.repeat(8180)}`;
    expect(resolver.resolve(http({ cookie: `${padding}; SESSION=late` }))).toEqual([]);
    // The pair straddling the cap is dropped, not truncated.
    const straddle = `pad=${'x'.repeat(8170)}; SESSION=${SPRING_ID}`;
    expect(resolver.resolve(http({ cookie: straddle }))).toEqual([]);
    expect(resolver.resolve(http({ cookie: `SESSION=early; ${padding}` }))).toEqual(['early']);
  });

  it('returns at most maxCandidates ids: 3 by default, and never more than MAX_SESSION_ID_CANDIDATES', () => {
    const cookie = Array.from({ length: 20 }, (_, i) => `SESSION=id${i}`).join('; ');
    expect(MAX_SESSION_ID_CANDIDATES).toBe(3);
    expect(new CookieSessionIdResolver().resolve(http({ cookie }))).toEqual(['id0', 'id1', 'id2']);
    expect(new CookieSessionIdResolver({ maxCandidates: 2 }).resolve(http({ cookie }))).toEqual(['id0', 'id1']);
    expect(() => new CookieSessionIdResolver({ maxCandidates: 4 })).toThrow(/at most 3/);
  });

  it('the header resolver gives one candidate, however often the header is sent', () => {
    const resolver = new HeaderSessionIdResolver();
    const request: ResolverRequest = { header: (name) => (name.toLowerCase() === 'x-auth-token' ? ['a', 'b', 'c', 'd'] : undefined), encrypted: false };
    expect(resolver.resolve(request)).toEqual(['a']);
  });

  it('never throws, even when the header getter does', () => {
    const throwing: ResolverRequest = {
      header: () => {
        throw new Error('boom');
      },
      encrypted: false,
    };
    expect(new CookieSessionIdResolver().resolve(throwing)).toEqual([]);
    expect(new CookieSessionIdResolver({ trustProxy: true }).isSecure(throwing)).toBe(false);
  });

  it('property: any header gives only short cookie-octet candidates, never throwing (both encodings)', () => {
    const plain = new CookieSessionIdResolver();
    const base64 = new CookieSessionIdResolver({ encoding: 'base64' });
    const piece = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.constantFrom('SESSION=', '; ', ';', '=', '"', 'SESSION', SPRING_ID, SPRING_COOKIE, '*?[', '\r\n', '\u0000'),
    );
    const header = fc.oneof(fc.array(piece, { maxLength: 30 }).map((parts) => parts.join('')), fc.array(fc.string(), { maxLength: 4 }));
    fc.assert(
      fc.property(header, (cookie) => {
        for (const resolver of [plain, base64]) {
          const ids = resolver.resolve(http({ cookie }));
          expect(ids.length).toBeLessThanOrEqual(8);
          expect(new Set(ids).size).toBe(ids.length);
          for (const id of ids) {
            expect(id.length).toBeGreaterThan(0);
            expect(id.length).toBeLessThanOrEqual(256);
            expect(id).toMatch(COOKIE_OCTETS);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('property: base64 write then resolve round-trips any generated id', () => {
    const resolver = new CookieSessionIdResolver({ encoding: 'base64' });
    fc.assert(
      fc.property(fc.uuid({ version: 4 }), (id) => {
        const value = resolver.write(id, http())[0].value.split(';')[0].slice('SESSION='.length);
        expect(resolver.resolve(http({ cookie: `SESSION=${value}` }))).toEqual([id]);
      }),
    );
    expect(uuidSessionIdGenerator.isValid(resolver.resolve(http({ cookie: `SESSION=${SPRING_COOKIE}` }))[0])).toBe(true);
  });
});

describe('parseCookieValues', () => {
  it('handles empty, array and quoted input', () => {
    expect(parseCookieValues(undefined, 'SESSION')).toEqual([]);
    expect(parseCookieValues('', 'SESSION')).toEqual([]);
    expect(parseCookieValues('SESSION=""', 'SESSION')).toEqual([]);
    expect(parseCookieValues(' SESSION = a b ', 'SESSION')).toEqual(['a b']);
  });
});

describe('HeaderSessionIdResolver', () => {
  it('reads X-Auth-Token raw, writes the id, expires with an empty value', () => {
    const resolver = new HeaderSessionIdResolver();
    expect(resolver.resolve(http({ 'x-auth-token': SPRING_ID }))).toEqual([SPRING_ID]);
    expect(resolver.resolve(http({ 'x-auth-token': [SPRING_ID, 'other'] }))).toEqual([SPRING_ID]);
    expect(resolver.resolve(http({ 'x-auth-token': '  ' }))).toEqual([]);
    expect(resolver.resolve(http({ 'x-auth-token': 'a b' }))).toEqual([]);
    expect(resolver.resolve(http({ 'x-auth-token': 'x'.repeat(257) }))).toEqual([]);
    expect(resolver.resolve(http())).toEqual([]);
    expect(resolver.write(SPRING_ID)).toEqual([{ name: 'X-Auth-Token', value: SPRING_ID }]);
    expect(resolver.expire()).toEqual([{ name: 'X-Auth-Token', value: '' }]);
  });

  it('takes a configurable name', () => {
    const resolver = new HeaderSessionIdResolver({ name: 'Authentication-Info' });
    expect(resolver.resolve(http({ 'authentication-info': 'abc' }))).toEqual(['abc']);
    expect(resolver.write('abc')).toEqual([{ name: 'Authentication-Info', value: 'abc' }]);
    expect(() => new HeaderSessionIdResolver({ name: 'bad name' })).toThrow(/header name/);
  });
});
