/**
 * The governance rules that need no store: which address a request's client has (proxy-aware only
 * as far as `trustProxy` says), what a recorded device may hold, the expiry arithmetic of an
 * absolute timeout, and the checks on the repository's settings.
 */
import { describe, expect, it } from 'vitest';
import {
  clientAddress,
  deviceOf,
  MAX_USER_AGENT_LENGTH,
  MemorySessionStore,
  readDevice,
  sessionExpiresAt,
  SessionRepository,
  type ResolverRequest,
  type SessionEvent,
} from '@sessiongen/runtime';
import { appSessionDescriptor } from '../../generated/index.js';

const request = (remoteAddress: string | undefined, forwardedFor?: string | string[]): ResolverRequest => ({
  header: (name) => (name === 'x-forwarded-for' ? forwardedFor : undefined),
  encrypted: false,
  remoteAddress,
});

describe('client address', () => {
  it('is the peer unless proxies are trusted; X-Forwarded-For alone never counts', () => {
    expect(clientAddress(request('10.0.0.2', '203.0.113.9'))).toBe('10.0.0.2');
    expect(clientAddress(request('::ffff:10.0.0.2'))).toBe('10.0.0.2');
    expect(clientAddress(request('2001:db8::1'))).toBe('2001:db8::1');
    expect(clientAddress(request(undefined, '203.0.113.9'))).toBeUndefined();
  });

  it('trustProxy n: the address the n-th proxy from this server saw; true: the left-most', () => {
    const chain = request('10.0.0.2', ['198.51.100.1, 203.0.113.9', '192.0.2.4']);
    expect(clientAddress(chain, 1)).toBe('192.0.2.4');
    expect(clientAddress(chain, 2)).toBe('203.0.113.9');
    expect(clientAddress(chain, 9)).toBe('198.51.100.1');
    expect(clientAddress(chain, true)).toBe('198.51.100.1');
    expect(clientAddress(chain, 0)).toBe('10.0.0.2');
  });

  it('records nothing that is not an address (a spoofed header cannot plant text)', () => {
    expect(clientAddress(request('10.0.0.2', '<script>, evil'), true)).toBeUndefined();
    expect(clientAddress(request('10.0.0.2', 'x'.repeat(100)), 1)).toBeUndefined();
  });
});

describe('devices', () => {
  it('clips and cleans what it records so every store keeps it, and reads back only well-formed devices', () => {
    const device = deviceOf({ userAgent: `a\u0000b\u001b[31m${'x'.repeat(400)}`, address: '203.0.113.9' }, 5);
    expect(device.userAgent).toHaveLength(MAX_USER_AGENT_LENGTH);
    expect(device.userAgent!.startsWith('ab[31m')).toBe(true);
    expect(deviceOf({}, 1)).toEqual({ userAgent: null, address: null, lastSeen: 1 });
    expect(readDevice(device)).toEqual(device);
    for (const bad of [null, 'x', [], { userAgent: 1, address: null, lastSeen: 1 }, { userAgent: null, address: null, lastSeen: 1.5 }]) {
      expect(readDevice(bad), JSON.stringify(bad)).toBeUndefined();
    }
  });
});

describe('absolute timeout', () => {
  it('a session expires at the earlier of its idle and its absolute deadline', () => {
    expect(sessionExpiresAt(0, 1_000, 60, undefined)).toBe(61_000);
    expect(sessionExpiresAt(0, 1_000, 60, 30)).toBe(30_000);
    expect(sessionExpiresAt(0, 1_000, 60, 3600)).toBe(61_000);
    expect(sessionExpiresAt(0, 1_000, -1, 3600)).toBe(3_600_000);
    expect(sessionExpiresAt(0, 1_000, -1, undefined)).toBeNull();
  });

  it('expired events say idle or absolute from the times the store reports', () => {
    let now = 1_000_000;
    const store = new MemorySessionStore(appSessionDescriptor, { sweepIntervalMs: 0, clock: () => now });
    const repository = new SessionRepository(appSessionDescriptor, store, { absoluteTimeout: 10, clock: () => now });
    const events: SessionEvent[] = [];
    repository.on('expired', (event) => events.push(event));
    const absolute = repository.createSession();
    const idle = repository.createSession();
    idle.maxInactiveInterval = 5;
    return Promise.all([repository.save(absolute), repository.save(idle)]).then(() => {
      now += 10_000;
      store.sweep();
      expect(events).toEqual(
        expect.arrayContaining([
          { type: 'expired', sessionId: absolute.id, endReason: 'absolute' },
          { type: 'expired', sessionId: idle.id, endReason: 'idle' },
        ]),
      );
    });
  });
});

describe('repository settings', () => {
  const store = () => new MemorySessionStore(appSessionDescriptor, { sweepIntervalMs: 0 });
  it('takes the schema\'s and checks overrides', () => {
    const repository = new SessionRepository(appSessionDescriptor, store());
    expect(repository.absoluteTimeout).toBeUndefined();
    expect(repository.maxSessionsPerPrincipal).toBeUndefined();
    expect(repository.touchInterval).toBe(0);
    expect(repository.recordsDevices).toBe(true);
    expect(() => new SessionRepository(appSessionDescriptor, store(), { absoluteTimeout: 0 })).toThrow(RangeError);
    expect(() => new SessionRepository(appSessionDescriptor, store(), { touchInterval: -1 })).toThrow(RangeError);
    expect(() => new SessionRepository(appSessionDescriptor, store(), { maxSessionsPerPrincipal: { max: 0, policy: 'refuse' } })).toThrow(RangeError);
    const withoutPrincipal = { ...appSessionDescriptor, principalIndex: undefined };
    expect(() => new SessionRepository(withoutPrincipal, store(), { maxSessionsPerPrincipal: { max: 2, policy: 'refuse' } })).toThrow(/no principal index/);
    const off = new SessionRepository({ ...appSessionDescriptor, absoluteTimeout: 60 }, store(), { absoluteTimeout: null });
    expect(off.absoluteTimeout).toBeUndefined();
  });
});
