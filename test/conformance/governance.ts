/**
 * Session governance, on every store of the conformance suite, through the store SPI alone:
 * absolute timeouts, at most N sessions per principal (concurrent logins included), devices and
 * summaries, sign out everywhere, and the touch interval's writes.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  mostRecentFirst,
  RESERVED_ATTRIBUTES,
  TooManySessionsError,
  type PrincipalSessionLimit,
  type RepositoryOptions,
  type SessionEvent,
  type SessionRecord,
  type SessionStore,
  type SessionWrite,
  type WriteOutcome,
} from '@sessiongen/runtime';
import { AppSessionRepository, appSessionDescriptor, type AppSession } from '../../generated/index.js';
import type { StoreUnderTest } from './suite.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const principalIndex = appSessionDescriptor.indexes.find((index) => index.name === appSessionDescriptor.principalIndex)!;

/** How many concurrent logins the limit tests fire, and the limit they hold to. */
const LOGINS = 20;
const MAX = 3;

export function describeGovernance(subject: () => StoreUnderTest): void {
  describe('session governance', () => {
    const open = (options: RepositoryOptions = {}) => {
      const repository = new AppSessionRepository(subject().store, options);
      const events: SessionEvent[] = [];
      for (const type of ['created', 'deleted', 'expired', 'invalid-attribute'] as const) repository.on(type, (event) => events.push(event));
      return { repository, events };
    };
    const name = (what: string) => `${what}-${randomUUID()}`;
    /** A saved session with no principal (a visitor about to log in), holding a cart. */
    const visitor = async (repository: AppSessionRepository) => {
      const session = repository.createSession().set('tenantId', 'before-login');
      expect(await repository.save(session)).toBe('saved');
      return (await repository.findById(session.id))!;
    };
    /** Logs a visitor in as the demo and the integrations do: principal, fresh access time, new id. */
    const logIn = (session: AppSession, principal: string) => {
      session.set('principalName', principal);
      session.lastAccessedTime = Date.now();
      session.changeSessionId();
      return session;
    };
    /** The principal's records as the store holds them, live or not, claims included. */
    const rawRecords = async (principal: string) => subject().store.findByIndex(principalIndex, principal);
    /** Whether the subject's layout keeps a principal index; where it keeps none, what needs one must fail clearly. */
    const indexed = () => subject().capabilities?.principalIndex !== false;
    const NO_INDEX = /keeps no (principal )?index/;

    describe('absolute timeout', () => {
      it('ends a session at creation + absoluteTimeout (3 s) however active: never returned, never saved again', async () => {
        const { repository } = open({ absoluteTimeout: 3 });
        const principal = name('absolute');
        const session = repository.createSession().set('principalName', principal);
        await repository.save(session);
        expect(session.expiresAt).toBe(session.creationTime + 3_000);
        // Used every 400 ms: the idle timeout (30 min) never comes near.
        const copy = await repository.findById(session.id);
        while (Date.now() < session.creationTime + 1_800) {
          const found = (await repository.findById(session.id))!;
          found.lastAccessedTime = Math.max(Date.now(), found.lastAccessedTime + 1);
          expect(await repository.save(found)).toBe('saved');
          await sleep(400);
        }
        expect(await repository.findById(session.id)).not.toBeNull();
        await sleep(session.creationTime + 3_050 - Date.now());
        expect(await repository.findById(session.id)).toBeNull();
        if (indexed()) {
          expect([...(await repository.findByPrincipalName(principal)).keys()]).toEqual([]);
          expect(await repository.sessionsOf(principal)).toEqual([]);
        }
        copy!.set('tenantId', 'late');
        expect(await repository.save(copy!)).toBe('gone');
      }, 15_000);

      it('the store expires it at min(idle, absolute): its own expiry data drops it from listIds', async () => {
        const { repository } = open({ absoluteTimeout: 1 });
        const session = repository.createSession();
        session.maxInactiveInterval = 3600;
        await repository.save(session);
        const listed = async () => {
          for await (const id of subject().store.listIds({ now: Date.now(), pageSize: 1000 })) if (id === session.id) return true;
          return false;
        };
        expect(await listed()).toBe(true);
        // Stores with whole-second TTLs (Hazelcast) drop it up to a second late.
        const deadline = Date.now() + 8_000;
        await sleep(1_100);
        while ((await listed()) && Date.now() < deadline) await sleep(250);
        expect(await listed()).toBe(false);
      }, 15_000);

      it('the expired event says why: absolute or idle (where the store reports the times)', async () => {
        const { repository, events } = open({ absoluteTimeout: 1 });
        const absolute = repository.createSession();
        absolute.maxInactiveInterval = 3600;
        const idle = repository.createSession();
        idle.maxInactiveInterval = 1;
        idle.lastAccessedTime = idle.creationTime - 500;
        await Promise.all([repository.save(absolute), repository.save(idle)]);
        await sleep(1_200);
        await subject().expireNow?.();
        if (!subject().expiredEvents) return;
        const reasonOf = (id: string) => events.find((event) => event.sessionId === id && event.type === 'expired');
        const deadline = Date.now() + 10_000;
        while ((!reasonOf(absolute.id) || !reasonOf(idle.id)) && Date.now() < deadline) {
          await sleep(100);
          await subject().expireNow?.();
        }
        expect(reasonOf(absolute.id), 'expired event').toBeDefined();
        expect(reasonOf(idle.id), 'expired event').toBeDefined();
        if (subject().expiredReasons === false) return;
        expect(reasonOf(absolute.id)!.endReason).toBe('absolute');
        expect(reasonOf(idle.id)!.endReason).toBe('idle');
      }, 20_000);
    });

    describe('at most N sessions per principal', () => {
      const limit = (policy: PrincipalSessionLimit['policy']): RepositoryOptions => ({ maxSessionsPerPrincipal: { max: MAX, policy } });
      /** A repository with the limit, or, where the layout keeps no principal index, the check that it is refused up front. */
      const limited = (policy: PrincipalSessionLimit['policy']) => {
        if (indexed()) return open(limit(policy));
        expect(() => open(limit(policy))).toThrow(NO_INDEX);
        return null;
      };

      it(`end-least-recently-used: ${LOGINS} concurrent logins of one principal leave exactly ${MAX}, the most recent`, async () => {
        const limitedRepository = limited('end-least-recently-used');
        if (!limitedRepository) return;
        const { repository, events } = limitedRepository;
        const principal = name('lru');
        const visitors = await Promise.all(Array.from({ length: LOGINS }, () => visitor(repository)));
        const outcomes = await Promise.all(visitors.map((session) => repository.save(logIn(session, principal))));
        expect(outcomes).toEqual(Array(LOGINS).fill('saved'));
        const expected = visitors
          .map((session): SessionRecord => ({ id: session.id, creationTime: session.creationTime, lastAccessedTime: session.lastAccessedTime, maxInactiveInterval: 1800, attributes: {} }))
          .sort(mostRecentFirst)
          .slice(0, MAX)
          .map((record) => record.id);
        const left = (await repository.sessionsOf(principal)).map((summary) => summary.id);
        console.log(`${subject().store.kind}: ${LOGINS} concurrent logins, end-least-recently-used, max ${MAX}: ${left.length} sessions left`);
        expect(left).toEqual(expected);
        expect((await rawRecords(principal)).filter((record) => record.attributes.principalName === principal).map((record) => record.id).sort()).toEqual([...expected].sort());
        const evicted = events.filter((event) => event.type === 'deleted').map((event) => event.sessionId);
        expect(new Set(evicted)).toEqual(new Set(visitors.map((session) => session.id).filter((id) => !expected.includes(id))));
        expect(events.filter((event) => event.type === 'deleted').every((event) => event.endReason === 'evicted')).toBe(true);
      }, 30_000);

      it('end-least-recently-used ends the least recently used, not the oldest', async () => {
        const limitedRepository = limited('end-least-recently-used');
        if (!limitedRepository) return;
        const { repository, events } = limitedRepository;
        const principal = name('lru-order');
        for (let i = 0; i < MAX; i++) {
          await repository.save(logIn(await visitor(repository), principal));
          await sleep(5);
        }
        const oldestSaved = (await repository.sessionsOf(principal)).map((summary) => summary.id);
        expect(oldestSaved).toHaveLength(MAX);
        // The oldest login is used again: the next login ends the one used least recently instead.
        const oldest = (await repository.findById(oldestSaved[MAX - 1]!))!;
        oldest.lastAccessedTime = Date.now();
        await repository.save(oldest);
        const leastRecent = oldestSaved[MAX - 2]!;
        await sleep(5);
        const newest = logIn(await visitor(repository), principal);
        await repository.save(newest);
        const left = (await repository.sessionsOf(principal)).map((summary) => summary.id);
        expect(left).toHaveLength(MAX);
        expect(left).toContain(oldest.id);
        expect(left).toContain(newest.id);
        expect(left).not.toContain(leastRecent);
        expect(await repository.findById(leastRecent)).toBeNull();
        expect(events.filter((event) => event.type === 'deleted')).toContainEqual({ type: 'deleted', sessionId: leastRecent, endReason: 'evicted' });
      });

      it(`refuse: ${LOGINS} concurrent logins of one principal leave exactly ${MAX}; each refused one changes nothing`, async () => {
        const limitedRepository = limited('refuse');
        if (!limitedRepository) return;
        const { repository, events } = limitedRepository;
        const principal = name('refuse');
        const visitors = await Promise.all(Array.from({ length: LOGINS }, () => visitor(repository)));
        const accessed = new Map(visitors.map((session) => [session.id, session.lastAccessedTime]));
        const logins = visitors.map((session) => ({ oldId: session.id, session: logIn(session, principal) }));
        const started = Date.now();
        const outcomes = await Promise.allSettled(logins.map(({ session }) => repository.save(session)));
        const admitted = logins.filter((_, i) => outcomes[i]!.status === 'fulfilled');
        const refused = logins.filter((_, i) => outcomes[i]!.status === 'rejected');
        console.log(`${subject().store.kind}: ${LOGINS} concurrent logins, refuse, max ${MAX}: ${admitted.length} admitted, ${refused.length} refused in ${Date.now() - started} ms`);
        expect(admitted).toHaveLength(MAX);
        for (const outcome of outcomes) {
          if (outcome.status === 'rejected') {
            expect(outcome.reason).toBeInstanceOf(TooManySessionsError);
            expect(outcome.reason).toMatchObject({ status: 403, reason: 'too-many-sessions', max: MAX });
          } else {
            expect(outcome.value).toBe('saved');
          }
        }
        expect((await repository.sessionsOf(principal)).map((summary) => summary.id).sort()).toEqual(admitted.map(({ session }) => session.id).sort());
        // A refused login left its session exactly as it was: old id, its attributes, no principal.
        for (const { oldId, session } of refused) {
          const stored = await subject().store.load(oldId);
          expect(stored, oldId).not.toBeNull();
          expect(stored!.attributes).toEqual({ tenantId: 'before-login' });
          expect(stored!.lastAccessedTime).toBe(accessed.get(oldId));
          expect(await subject().store.load(session.id)).toBeNull();
        }
        // No claim outlives its login, and no session was ended.
        const raw = (await rawRecords(principal)).filter((record) => record.attributes.principalName === principal);
        expect(raw.filter((record) => RESERVED_ATTRIBUTES.claim in record.attributes)).toEqual([]);
        expect(raw).toHaveLength(MAX);
        expect(events.filter((event) => event.type === 'deleted')).toEqual([]);
      }, 30_000);

      it('refuse: a login past the limit is refused until one of the sessions ends', async () => {
        const limitedRepository = limited('refuse');
        if (!limitedRepository) return;
        const { repository } = limitedRepository;
        const principal = name('refuse-seq');
        const sessions: AppSession[] = [];
        for (let i = 0; i < MAX; i++) {
          const session = logIn(await visitor(repository), principal);
          expect(await repository.save(session)).toBe('saved');
          sessions.push(session);
        }
        const late = await visitor(repository);
        const oldId = late.id;
        await expect(repository.save(logIn(late, principal))).rejects.toBeInstanceOf(TooManySessionsError);
        expect((await repository.findById(oldId))!.get('principalName')).toBeUndefined();
        await repository.deleteById(sessions[0]!.id, { reason: 'logout' });
        const retry = logIn((await repository.findById(oldId))!, principal);
        expect(await repository.save(retry)).toBe('saved');
        expect((await repository.sessionsOf(principal)).map((summary) => summary.id)).toContain(retry.id);
      });
    });

    describe('devices and summaries', () => {
      it('keeps the device beside the attributes and lists summaries without attributes', async () => {
        const { repository, events } = open();
        const principal = name('devices');
        const session = repository.createSession().set('principalName', principal).set('cart', [{ sku: 'ABC-1', quantity: 1, unitPriceCents: 5 }]);
        expect(repository.recordAccess(session, { client: { userAgent: 'Firefox/128\u0007', address: '203.0.113.9' } })).toBe(true);
        await repository.save(session);
        const other = repository.createSession().set('principalName', principal);
        await repository.save(other);

        const found = (await repository.findById(session.id))!;
        expect(found.device).toEqual({ userAgent: 'Firefox/128', address: '203.0.113.9', lastSeen: session.lastAccessedTime });
        expect(found.attributeNames().sort()).toEqual(['cart', 'principalName']);
        expect(events.filter((event) => event.type === 'invalid-attribute')).toEqual([]);

        if (!indexed()) {
          await expect(repository.sessionsOf(principal)).rejects.toThrow(NO_INDEX);
          return;
        }
        const summaries = await repository.sessionsOf(principal);
        expect(summaries.map((summary) => summary.id).sort()).toEqual([session.id, other.id].sort());
        const mine = summaries.find((summary) => summary.id === session.id)!;
        expect(mine).toEqual({
          id: session.id,
          creationTime: session.creationTime,
          lastAccessedTime: session.lastAccessedTime,
          expiresAt: session.lastAccessedTime + 1_800_000,
          device: { userAgent: 'Firefox/128', address: '203.0.113.9', lastSeen: session.lastAccessedTime },
        });
        expect(Object.keys(summaries.find((summary) => summary.id === other.id)!).sort()).toEqual(['creationTime', 'expiresAt', 'id', 'lastAccessedTime']);

        // Same client: nothing to write within the touch interval; another address: recorded at once.
        const touchy = new AppSessionRepository(subject().store, { touchInterval: 60 });
        const again = (await touchy.findById(session.id))!;
        expect(touchy.recordAccess(again, { client: { userAgent: 'Firefox/128', address: '203.0.113.9' } })).toBe(false);
        expect(await touchy.save(again)).toBe('unchanged');
        expect(touchy.recordAccess(again, { client: { userAgent: 'Firefox/128', address: '198.51.100.7' } })).toBe(true);
        expect(await touchy.save(again)).toBe('saved');
        expect((await repository.findById(session.id))!.device!.address).toBe('198.51.100.7');
      });

      it('the store reads summaries with no attribute but the reserved ones and the principal', async () => {
        const { repository } = open();
        const principal = name('summaries');
        const session = repository.createSession().set('principalName', principal).set('roles', ['a', 'b']);
        repository.recordAccess(session, { client: { userAgent: 'curl/8', address: '192.0.2.1' } });
        await repository.save(session);
        const store = subject().store;
        const names = [RESERVED_ATTRIBUTES.device, RESERVED_ATTRIBUTES.claim, 'principalName'];
        const records = store.findSummariesByIndex ? await store.findSummariesByIndex(principalIndex, principal, names) : null;
        if (records === null) return; // The repository falls back to findByIndex (Hazelcast): covered above.
        expect(records).toHaveLength(1);
        expect(Object.keys(records[0]!.attributes).sort()).toEqual([RESERVED_ATTRIBUTES.device, 'principalName'].sort());
        expect(records[0]).toMatchObject({ id: session.id, creationTime: session.creationTime, lastAccessedTime: session.lastAccessedTime, maxInactiveInterval: 1800 });
      });
    });

    describe('sign out everywhere', () => {
      it('ends every session of a principal but the current one, in one call, each with a deleted event', async () => {
        const { repository, events } = open();
        const principal = name('everywhere');
        const bystander = name('bystander');
        const sessions = await Promise.all(
          Array.from({ length: 6 }, async () => {
            const session = repository.createSession().set('principalName', principal);
            await repository.save(session);
            return session;
          }),
        );
        const other = repository.createSession().set('principalName', bystander);
        await repository.save(other);
        const expired = repository.createSession().set('principalName', principal);
        expired.lastAccessedTime = Date.now() - 1801_000;
        await repository.save(expired);
        const current = sessions[0]!;
        if (!indexed()) {
          await expect(repository.endSessionsOf(principal, { except: current.id })).rejects.toThrow(NO_INDEX);
          return;
        }

        const ended = await repository.endSessionsOf(principal, { except: current.id });
        expect(ended.sort()).toEqual(sessions.slice(1).map((session) => session.id).sort());
        expect((await repository.sessionsOf(principal)).map((summary) => summary.id)).toEqual([current.id]);
        for (const session of sessions.slice(1)) expect(await repository.findById(session.id)).toBeNull();
        expect(await repository.findById(other.id)).not.toBeNull();
        const deleted = events.filter((event) => event.type === 'deleted');
        expect(deleted.map((event) => event.sessionId).sort()).toEqual([...ended].sort());
        expect(deleted.every((event) => event.endReason === 'revoked')).toBe(true);

        expect(await repository.endSessionsOf(principal, { reason: 'logout' })).toEqual([current.id]);
        expect(events.at(-1)).toEqual({ type: 'deleted', sessionId: current.id, endReason: 'logout' });
        expect(await repository.sessionsOf(principal)).toEqual([]);
        expect(await repository.endSessionsOf(principal)).toEqual([]);
      });
    });

    describe('touch interval', () => {
      it('100 read-only requests write at most once per interval; a changing request writes and refreshes the access time', async () => {
        const counting = new WriteCounter(subject().store);
        const repository = new AppSessionRepository(counting, { touchInterval: 60 });
        const session = repository.createSession().set('principalName', name('touch'));
        await repository.save(session);
        const readOnly = async () => {
          const found = (await repository.findById(session.id))!;
          repository.recordAccess(found);
          return repository.save(found);
        };
        counting.writes = 0;
        for (let i = 0; i < 100; i++) expect(await readOnly()).toBe('unchanged');
        expect(counting.writes).toBe(0);
        const stored = (await subject().store.load(session.id))!;
        expect(stored.lastAccessedTime).toBe(session.lastAccessedTime);

        // A request that writes anyway carries the access time with it.
        const changing = (await repository.findById(session.id))!;
        changing.set('tenantId', 'changed');
        repository.recordAccess(changing, { force: true, now: session.lastAccessedTime + 10_000 });
        expect(await repository.save(changing)).toBe('saved');
        expect((await subject().store.load(session.id))!.lastAccessedTime).toBe(session.lastAccessedTime + 10_000);

        // Once the interval has passed, the next read-only request writes once.
        const later = (await repository.findById(session.id))!;
        expect(repository.recordAccess(later, { now: session.lastAccessedTime + 70_001 })).toBe(true);
        expect(await repository.save(later)).toBe('saved');
        expect(counting.writes).toBe(2);
      });
    });
  });
}

/** Counts the writes a store receives, passing everything through. */
class WriteCounter implements SessionStore {
  writes = 0;
  constructor(private readonly inner: SessionStore) {}
  get kind() {
    return this.inner.kind;
  }
  load = (id: string) => this.inner.load(id);
  write(write: SessionWrite): Promise<WriteOutcome> {
    this.writes++;
    return this.inner.write(write);
  }
  isMoved = (id: string, now: number) => this.inner.isMoved?.(id, now) ?? Promise.resolve(false);
  delete = (id: string) => this.inner.delete(id);
  findByIndex = (...args: Parameters<SessionStore['findByIndex']>) => this.inner.findByIndex(...args);
  listIds = (...args: Parameters<SessionStore['listIds']>) => this.inner.listIds(...args);
  close = () => Promise.resolve();
}
