/**
 * What `Session.set` checks besides the schema, without a store: values every store can hold
 * (object keys and untyped values too), and how the size limit counts bytes.
 */
import { describe, expect, it } from 'vitest';
import {
  findUnstorable,
  InvalidAttributeError,
  MemorySessionStore,
  SessionLimitError,
  SessionRepository,
  utf8Length,
  type SessionDescriptor,
} from '@sessiongen/runtime';

/** A schema whose `any:` family takes any JSON value (no `type`), with a small size limit. */
const descriptor: SessionDescriptor = {
  name: 'AnySession',
  namespace: 'any',
  maxInactiveInterval: 60,
  attributes: {},
  patternAttributes: [{ prefix: 'any:', pattern: /^any:[a-z0-9]{1,16}$/, validate: () => true, maxAttributes: 3 }],
  maxSessionBytes: 1_024,
  indexes: [],
  sql: { table: 'any_session' },
  redis: { keyPrefix: 'any:session' },
  hazelcast: { map: 'any-sessions', backupCount: 0 },
};
const repository = () => new SessionRepository(descriptor, new MemorySessionStore(descriptor, { sweepIntervalMs: 0 }));

describe('values every store can hold', () => {
  it('rejects U+0000 and lone surrogates in object keys and deep values, naming the path', () => {
    const session = repository().createSession();
    const cases: Array<[unknown, string]> = [
      [{ 'a\u0000b': 1 }, '/any:k/a\u0000b'],
      [{ ok: [{ '\ud800': true }] }, '/any:k/ok/0/\ud800'],
      [{ 'a/b~c': 'x\udfff' }, '/any:k/a~1b~0c'],
      [[1, [2, ['\u0000']]], '/any:k/1/1/0'],
      [Number.NaN, '/any:k'],
      [[Number.POSITIVE_INFINITY], '/any:k/0'],
    ];
    for (const [value, path] of cases) {
      let error: unknown;
      try {
        session.set('any:k', value);
      } catch (err) {
        error = err;
      }
      expect(error, path).toBeInstanceOf(InvalidAttributeError);
      expect((error as InvalidAttributeError).path, path).toBe(path);
    }
    expect(session.attributeNames()).toEqual([]);
  });

  it('accepts what every store keeps: surrogate pairs, other control characters, escapes spelt out', () => {
    for (const value of ['𝄞', '\u0001\u001f', 'a\\u0000 as six characters', { '𝄞': ['\ud83d\ude00'] }]) expect(findUnstorable(value)).toBeUndefined();
  });
});

describe('the size limit', () => {
  it('counts UTF-8 bytes as the stores do', () => {
    for (const text of ['ascii', 'é', '✓', '𝄞', 'mixé✓𝄞 text', '']) expect(utf8Length(text)).toBe(Buffer.byteLength(text, 'utf8'));
  });

  it('equals the length of the attributes as one JSON object, and refuses growth past it', () => {
    const session = repository().createSession();
    session.set('any:a', { text: 'é'.repeat(100) }).set('any:b', [1, 2, 3]);
    expect(session.sizeInBytes).toBe(Buffer.byteLength(JSON.stringify(session.attributesSnapshot())));
    expect(() => session.set('any:c', 'x'.repeat(1_000))).toThrow(SessionLimitError);
    session.remove('any:a');
    expect(session.sizeInBytes).toBe(Buffer.byteLength(JSON.stringify(session.attributesSnapshot())));
    session.set('any:c', 'x'.repeat(990));
    expect(() => session.set('any:d', 1)).toThrow(/over its limit of 1024/);
  });

  it('the family count: a fourth `any:` attribute is refused, replacing one is not', () => {
    const session = repository().createSession();
    session.set('any:a', 1).set('any:b', 2).set('any:c', 3);
    expect(() => session.set('any:d', 4)).toThrow(SessionLimitError);
    session.set('any:a', 10).remove('any:b').set('any:d', 4);
    expect(session.attributeNames().sort()).toEqual(['any:a', 'any:c', 'any:d']);
  });
});
