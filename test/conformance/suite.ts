/**
 * The store conformance suite: Spring Session's repository contract (reference section 7.1), with
 * its known bugs fixed, written once and run against every store.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidAttributeError, MAX_INACTIVE_INTERVAL, SessionLimitError, SessionRepository, type SessionDescriptor, type SessionEvent, type SessionStore } from '@sessiongen/runtime';
import { AppSessionRepository, type AppSession } from '../../generated/index.js';
import { describeGovernance } from './governance.js';
import { describeInstances, type PeerStore } from './instances.js';

/**
 * What a store's layout allows, where it cannot meet the whole contract: a layout shared with
 * another library (Spring Session's) keeps only the indexes that library keeps. A case the subject's
 * layout cannot meet is reported as skipped with the reason, and where a case checks an index in
 * passing, the subject must refuse the lookup with a clear error instead: never a silent pass.
 */
export interface StoreCapabilities {
  /** Finds sessions by the principal index. Default true. */
  principalIndex?: boolean;
  /** Finds sessions by the other indexes (`tenantId`). Default true. */
  secondaryIndexes?: boolean;
  /** Refuses values with Java type ids on load (Spring's layouts), with a reason naming the Java setting. Default false. */
  refusesJavaTypeIds?: boolean;
}

export interface StoreUnderTest {
  store: SessionStore;
  /** What the store's layout allows; absent: everything. */
  capabilities?: StoreCapabilities;
  /** Makes the store notice expiry now (cleanup, sweep); omit when expiry events come on their own. */
  expireNow?: () => Promise<void>;
  /** Whether this store reports expired events at all. */
  expiredEvents: boolean;
  /**
   * Whether its expired events say why (idle or absolute) when an absolute timeout is configured:
   * false where the store reports only the id (Redis keyspace notifications). Default true.
   */
  expiredReasons?: boolean;
  /** The descriptor the store was built with; with `openAttributes`, the open-attribute tests run. */
  descriptor?: SessionDescriptor;
  /** Writes one attribute's JSON text straight into a stored session, past the repository (a value planted by hand). */
  plantRaw(id: string, name: string, json: string): Promise<void>;
  /** Opens another instance of the store on the same data (its own client), as a second app server would; absent: the two-instance cases are skipped, saying so. */
  openPeer?: () => Promise<PeerStore>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function describeConformance(name: string, open: () => Promise<StoreUnderTest>): void {
  describe(`${name} store conformance`, () => {
    let subject: StoreUnderTest;
    let repo: AppSessionRepository;
    const events: SessionEvent[] = [];
    let caps: Required<StoreCapabilities>;

    beforeAll(async () => {
      subject = await open();
      caps = { principalIndex: true, secondaryIndexes: true, refusesJavaTypeIds: false, ...subject.capabilities };
      repo = new AppSessionRepository(subject.store);
      for (const type of ['created', 'deleted', 'expired', 'invalid-attribute'] as const) repo.on(type, (event) => events.push(event));
    }, 120_000);

    afterAll(async () => {
      await subject?.close();
    }, 60_000);

    const user = () => `user-${randomUUID()}`;
    const saved = async (setup?: (session: AppSession) => void) => {
      const session = repo.createSession();
      setup?.(session);
      expect(await repo.save(session)).toBe('saved');
      return session;
    };
    const reload = async (id: string) => {
      const session = await repo.findById(id);
      expect(session, `session ${id} should be found`).not.toBeNull();
      return session!;
    };
    const principalIds = async (principal: string) => [...(await repo.findByPrincipalName(principal)).keys()];
    /** Where the layout keeps a principal index, its ids are `expected`; where it keeps none, asking fails clearly. */
    const expectPrincipalIds = async (principal: string, expected: string[]) => {
      if (caps.principalIndex) expect((await principalIds(principal)).sort()).toEqual([...expected].sort());
      else await expect(repo.findByPrincipalName(principal)).rejects.toThrow(/keeps no index/);
    };
    const NO_PRINCIPAL_INDEX = "the subject's layout keeps no principal index (capabilities.principalIndex)";
    const eventsFor = (id: string) => events.filter((event) => event.sessionId === id && event.type !== 'invalid-attribute').map((event) => event.type);

    describe('create, find, delete', () => {
      it('finds a saved session with its id, times, timeout and attributes', async () => {
        const session = await saved((s) => s.set('principalName', 'a').set('roles', ['admin', 'ops']));
        const found = await reload(session.id);
        expect(found.id).toBe(session.id);
        expect(found.creationTime).toBe(session.creationTime);
        expect(found.lastAccessedTime).toBe(session.lastAccessedTime);
        expect(found.maxInactiveInterval).toBe(1800);
        expect(found.attributeNames().sort()).toEqual(['principalName', 'roles']);
        expect(found.get('roles')).toEqual(['admin', 'ops']);
        expect(found.isNew).toBe(false);
        expect(found.hasChanges).toBe(false);
      });

      it('finds a session saved with no attributes', async () => {
        const session = await saved();
        expect((await reload(session.id)).attributeNames()).toEqual([]);
      });

      it('returns schema defaults for absent attributes without storing them', async () => {
        const session = await saved();
        const found = await reload(session.id);
        expect(found.get('locale')).toBe('en-GB');
        expect(found.has('locale')).toBe(false);
      });

      it('round-trips nested values, unicode and a 20 000-character attribute', async () => {
        const big = 'x'.repeat(19_990) + 'é✓𝄞';
        const cart = [{ sku: 'ABC-123', quantity: 2, unitPriceCents: 1999, note: 'gift wrap — “please”' }];
        const session = await saved((s) => s.set('cart', cart).set('draft:letter', big).set('lastLoginAt', 1_700_000_000_123));
        const found = await reload(session.id);
        expect(found.get('cart')).toEqual(cart);
        expect(found.get('draft:letter')).toBe(big);
        expect(found.get('lastLoginAt')).toBe(1_700_000_000_123);
      });

      it('deletes a session; deleting again or an unknown id is a no-op', async () => {
        const session = await saved();
        await repo.deleteById(session.id);
        expect(await repo.findById(session.id)).toBeNull();
        await repo.deleteById(session.id);
        await repo.deleteById(randomUUID());
      });

      it('returns null for ids it could never have made, and never passes them on', async () => {
        const hostile = ['*', '?', '[a-z]*', 'a\nb', '\r\n*', 'x'.repeat(10_240), '\ud800\udfff\ud800', '', ' ', '../..', "' OR 1=1 --", '{tag}'];
        for (const id of hostile) {
          expect(await repo.findById(id)).toBeNull();
          await repo.deleteById(id);
        }
      });
    });

    describe('delta saves', () => {
      it('keeps attributes a later save did not touch', async () => {
        const session = await saved((s) => s.set('roles', ['a']));
        const found = await reload(session.id);
        found.set('tenantId', 'acme');
        await repo.save(found);
        const again = await reload(session.id);
        expect(again.get('roles')).toEqual(['a']);
        expect(again.get('tenantId')).toBe('acme');
      });

      it('merges changes made before one save (add+modify, add+remove, modify+remove, remove+add)', async () => {
        const session = await saved((s) => s.set('draft:m', 'm0').set('draft:r', 'r0'));
        const found = await reload(session.id);
        found.set('draft:a', 'a1').set('draft:a', 'a2');
        found.set('draft:b', 'b1').remove('draft:b');
        found.set('draft:m', 'm1').remove('draft:m');
        found.remove('draft:r').set('draft:r', 'r1');
        await repo.save(found);
        const again = await reload(session.id);
        expect(again.attributesSnapshot()).toEqual({ 'draft:a': 'a2', 'draft:r': 'r1' });
      });

      it('persists a removal', async () => {
        const session = await saved((s) => s.set('roles', ['a']).set('tenantId', 't'));
        const found = await reload(session.id);
        found.remove('roles');
        await repo.save(found);
        expect((await reload(session.id)).attributeNames()).toEqual(['tenantId']);
      });

      it('refreshes lastAccessedTime and timeout', async () => {
        const session = await saved();
        const found = await reload(session.id);
        const later = found.lastAccessedTime + 5_000;
        found.lastAccessedTime = later;
        found.maxInactiveInterval = 3600;
        await repo.save(found);
        const again = await reload(session.id);
        expect(again.lastAccessedTime).toBe(later);
        expect(again.maxInactiveInterval).toBe(3600);
      });

      it('rejects an invalid value before any write, keeping the stored value', async () => {
        const session = await saved((s) => s.set('tenantId', 'acme'));
        const found = await reload(session.id);
        expect(() => found.set('tenantId', 'NOT VALID!')).toThrow(InvalidAttributeError);
        expect(() => found.set('cart', [{ sku: 'ABC-1', quantity: 0, unitPriceCents: 1 }])).toThrow(/\/cart\/0\/quantity/);
        expect(() => (found as unknown as { set(n: string, v: unknown): void }).set('unknown', 1)).toThrow(InvalidAttributeError);
        expect(found.hasChanges).toBe(false);
        await repo.save(found);
        expect((await reload(session.id)).get('tenantId')).toBe('acme');
      });

      it('a loaded value changed in place changes neither the stored session nor the next load', async () => {
        const session = await saved((s) => s.set('roles', ['a']).set('cart', [{ sku: 'ABC-1', quantity: 1, unitPriceCents: 5 }]));
        for (let i = 0; i < 2; i++) {
          const found = await reload(session.id);
          found.get('roles')!.push('intruder');
          found.get('cart')![0]!.quantity = 99;
        }
        const again = await reload(session.id);
        expect(again.get('roles')).toEqual(['a']);
        expect(again.get('cart')).toEqual([{ sku: 'ABC-1', quantity: 1, unitPriceCents: 5 }]);
        expect(again.hasChanges).toBe(false);
      });

      it('keeps all of 50 concurrent saves of 50 different attributes on one session', async () => {
        const session = await saved((s) => s.set('principalName', 'concurrent'));
        const copies = await Promise.all(Array.from({ length: 50 }, () => reload(session.id)));
        await Promise.all(copies.map((copy, i) => repo.save(copy.set(`draft:d${i}`, `value ${i}`))));
        const found = await reload(session.id);
        const drafts = found.attributeNames().filter((name) => name.startsWith('draft:'));
        expect(drafts).toHaveLength(50);
        for (let i = 0; i < 50; i++) expect(found.get(`draft:d${i}`)).toBe(`value ${i}`);
        expect(found.get('principalName')).toBe('concurrent');
      });
    });

    describe('open attributes', () => {
      // Allowed names that a store could mistake for syntax: JSON path, SQL, Redis and JSON key characters.
      const awkward = [`it's "quoted"`, 'a.b.c', '$.x[0]', '$', 'with space', 'ünïcødé ✓ 𝄞', "'); DROP TABLE x; --", 'back\\slash', '*', '"', 'x".y', '\\"', 'constructor'];
      let open: SessionRepository | undefined;
      beforeAll(() => {
        if (subject.descriptor?.openAttributes) open = new SessionRepository(subject.descriptor, subject.store);
      });
      const openSaved = async (setup: (session: ReturnType<SessionRepository['createSession']>) => void) => {
        const session = open!.createSession();
        setup(session);
        expect(await open!.save(session)).toBe('saved');
        return session;
      };

      it('round-trips open attributes with awkward names beside declared ones, and removes them', async (ctx) => {
        if (!open) return ctx.skip('the subject has no descriptor with open attributes');
        const session = await openSaved((s) => {
          s.set('principalName', 'open');
          awkward.forEach((name, i) => s.set(name, { name, i, nested: { "'": '"' } }));
        });
        const found = (await open.findById(session.id))!;
        expect(found.attributeNames().sort()).toEqual(['principalName', ...awkward].sort());
        awkward.forEach((name, i) => expect(found.get(name), name).toEqual({ name, i, nested: { "'": '"' } }));
        for (const name of awkward.slice(0, 6)) found.remove(name);
        found.set(awkward[6]!, 'changed');
        await open.save(found);
        const again = (await open.findById(session.id))!;
        expect(again.attributeNames().sort()).toEqual(['principalName', ...awkward.slice(6)].sort());
        expect(again.get(awkward[6]!)).toBe('changed');
        expect(again.get('principalName')).toBe('open');
      });

      it('keeps both of two concurrent saves of two different open attributes', async (ctx) => {
        if (!open) return ctx.skip('the subject has no descriptor with open attributes');
        const session = await openSaved((s) => s.set('principalName', 'open-concurrent'));
        const [a, b] = await Promise.all([open.findById(session.id), open.findById(session.id)]);
        await Promise.all([open.save(a!.set("'); DROP TABLE x; --", 'a')), open.save(b!.set(`it's "quoted"`, 'b'))]);
        const found = (await open.findById(session.id))!;
        expect(found.get("'); DROP TABLE x; --")).toBe('a');
        expect(found.get(`it's "quoted"`)).toBe('b');
        expect(found.get('principalName')).toBe('open-concurrent');
      });
    });

    describe('principal and other indexes', () => {
      it('finds a session by its principal, or (a layout without a principal index) refuses the lookup with a clear error', async () => {
        const session = await saved((s) => s.set('principalName', user()));
        await expectPrincipalIds(session.get('principalName')!, [session.id]);
      });

      it('finds by principal; an unrelated change keeps the entry; delete removes it', async (ctx) => {
        if (!caps.principalIndex) return ctx.skip(NO_PRINCIPAL_INDEX);
        const principal = user();
        const session = await saved((s) => s.set('principalName', principal));
        expect(await principalIds(principal)).toEqual([session.id]);
        const found = await reload(session.id);
        await repo.save(found.set('roles', ['x']));
        expect(await principalIds(principal)).toEqual([session.id]);
        await repo.deleteById(session.id);
        expect(await principalIds(principal)).toEqual([]);
      });

      for (const flavour of ['same instance', 'reloaded'] as const) {
        it(`moves the entry when the principal changes (${flavour})`, async (ctx) => {
          if (!caps.principalIndex) return ctx.skip(NO_PRINCIPAL_INDEX);
          const before = user();
          const after = user();
          const session = await saved((s) => s.set('principalName', before));
          const target = flavour === 'same instance' ? session : await reload(session.id);
          await repo.save(target.set('principalName', after));
          expect(await principalIds(before)).toEqual([]);
          expect(await principalIds(after)).toEqual([session.id]);
        });

        it(`drops the entry when the principal is removed (${flavour})`, async (ctx) => {
          if (!caps.principalIndex) return ctx.skip(NO_PRINCIPAL_INDEX);
          const principal = user();
          const session = await saved((s) => s.set('principalName', principal));
          const target = flavour === 'same instance' ? session : await reload(session.id);
          await repo.save(target.remove('principalName'));
          expect(await principalIds(principal)).toEqual([]);
        });
      }

      it('finds several sessions of one principal, and by a second index', async (ctx) => {
        if (!caps.principalIndex) return ctx.skip(NO_PRINCIPAL_INDEX);
        const principal = user();
        const tenant = `t-${randomUUID().slice(0, 8)}`;
        const a = await saved((s) => s.set('principalName', principal).set('tenantId', tenant));
        const b = await saved((s) => s.set('principalName', principal));
        expect((await principalIds(principal)).sort()).toEqual([a.id, b.id].sort());
        if (!caps.secondaryIndexes) {
          await expect(repo.findByTenantId(tenant)).rejects.toThrow(/keeps no index of 'tenantId'/);
          return;
        }
        const byTenant = await repo.findByTenantId(tenant);
        expect([...byTenant.keys()]).toEqual([a.id]);
        expect(byTenant.get(a.id)!.get('principalName')).toBe(principal);
      });

      it('follows an id change, and a principal change made together with it', async (ctx) => {
        if (!caps.principalIndex) return ctx.skip(NO_PRINCIPAL_INDEX);
        const first = user();
        const second = user();
        const session = await saved((s) => s.set('principalName', first));
        const found = await reload(session.id);
        found.changeSessionId();
        await repo.save(found);
        expect(await principalIds(first)).toEqual([found.id]);
        const again = await reload(found.id);
        again.changeSessionId();
        again.set('principalName', second);
        await repo.save(again);
        expect(await principalIds(first)).toEqual([]);
        expect(await principalIds(second)).toEqual([again.id]);
      });

      it('returns no expired session from an index', async (ctx) => {
        if (!caps.principalIndex) return ctx.skip(NO_PRINCIPAL_INDEX);
        const principal = user();
        const session = repo.createSession().set('principalName', principal);
        session.lastAccessedTime = Date.now() - 1801_000;
        await repo.save(session);
        expect(await principalIds(principal)).toEqual([]);
      });
    });

    describe('changeSessionId', () => {
      it('moves the session: old id gone, new id has the attributes', async () => {
        const session = await saved((s) => s.set('tenantId', 'acme'));
        const oldId = session.id;
        const found = await reload(oldId);
        const newId = found.changeSessionId();
        expect(newId).not.toBe(oldId);
        await repo.save(found);
        expect(await repo.findById(oldId)).toBeNull();
        expect((await reload(newId)).get('tenantId')).toBe('acme');
        expect(eventsFor(newId)).toEqual([]);
        expect(eventsFor(oldId)).toEqual(['created']);
      });

      it('changed twice before a save: only the last id exists', async () => {
        const session = await saved();
        const first = session.changeSessionId();
        const second = session.changeSessionId();
        await repo.save(session);
        expect(await repo.findById(first)).toBeNull();
        expect(await repo.findById(second)).not.toBeNull();
      });

      it('on a never-saved session: saved under the new id only', async () => {
        const session = repo.createSession();
        const original = session.id;
        session.changeSessionId();
        await repo.save(session);
        expect(await repo.findById(original)).toBeNull();
        expect(await repo.findById(session.id)).not.toBeNull();
      });

      it('survives a second save after the change', async () => {
        const session = await saved();
        session.changeSessionId();
        await repo.save(session);
        session.set('tenantId', 'again');
        await repo.save(session);
        expect((await reload(session.id)).get('tenantId')).toBe('again');
      });

      it('two copies both change the id: the first wins, the second resolves nowhere', async () => {
        const session = await saved((s) => s.set('tenantId', 'race'));
        const a = await reload(session.id);
        const b = await reload(session.id);
        a.changeSessionId();
        b.changeSessionId();
        expect(await repo.save(a)).toBe('saved');
        expect(await repo.save(b)).toBe('moved');
        expect(await repo.findById(session.id)).toBeNull();
        expect(await repo.findById(a.id)).not.toBeNull();
        expect(await repo.findById(b.id)).toBeNull();
      });
    });

    describe('writes racing an id change', () => {
      it('a copy loaded before the change saves under the new id: both changes kept, the old id reads nothing', async () => {
        const session = await saved((s) => s.set('tenantId', 'before'));
        const oldId = session.id;
        const stale = await reload(oldId);
        const mover = await reload(oldId);
        const newId = mover.changeSessionId();
        // A name of this test's own: other suites share some stores' maps and key spaces.
        const principal = `mover-${crypto.randomUUID().slice(0, 8)}`;
        mover.set('principalName', principal);
        expect(await repo.save(mover)).toBe('saved');
        stale.set('draft:stale', 'kept').set('roles', ['late']);
        expect(await repo.save(stale)).toBe('saved');
        expect(stale.id).toBe(oldId);
        const found = await reload(newId);
        expect(found.attributesSnapshot()).toEqual({ tenantId: 'before', principalName: principal, 'draft:stale': 'kept', roles: ['late'] });
        expect(await repo.findById(oldId)).toBeNull();
        expect(await subject.store.load(oldId)).toBeNull();
        expect(await repo.findByIdOrMoved(oldId)).toBe('moved');
        await expectPrincipalIds(principal, [newId]);
      });

      it('a forwarded save that changes an index value moves the index entry of the new id', async (ctx) => {
        if (!caps.secondaryIndexes && !caps.principalIndex) return ctx.skip(NO_PRINCIPAL_INDEX);
        // Where the layout keeps only the principal index (Spring's Redis layout), the principal stands in for tenantId.
        const [name, find] = caps.secondaryIndexes
          ? (['tenantId', (value: string) => repo.findByTenantId(value)] as const)
          : (['principalName', (value: string) => repo.findByPrincipalName(value)] as const);
        const value = `t-${randomUUID().slice(0, 8)}`;
        const first = `first-${randomUUID().slice(0, 8)}`;
        const session = await saved((s) => s.set(name, first));
        const stale = await reload(session.id);
        const mover = await reload(session.id);
        const newId = mover.changeSessionId();
        await repo.save(mover);
        expect(await repo.save(stale.set(name, value))).toBe('saved');
        expect([...(await find(value)).keys()]).toEqual([newId]);
        expect([...(await find(first)).keys()]).not.toContain(newId);
      });

      it('follows several id changes in a row', async () => {
        const session = await saved();
        const stale = await reload(session.id);
        let current = await reload(session.id);
        for (let i = 0; i < 3; i++) {
          current.changeSessionId();
          await repo.save(current);
          current = await reload(current.id);
        }
        expect(await repo.save(stale.set('draft:chain', 'x'))).toBe('saved');
        expect((await reload(current.id)).get('draft:chain')).toBe('x');
        expect(await repo.findByIdOrMoved(session.id)).toBe('moved');
      });

      it('keeps all of 20 concurrent saves of copies loaded before an id change that runs among them', async () => {
        const session = await saved((s) => s.set('principalName', 'racing'));
        const copies = await Promise.all(Array.from({ length: 20 }, () => reload(session.id)));
        const mover = await reload(session.id);
        const newId = mover.changeSessionId();
        const outcomes = await Promise.all([
          ...copies.slice(0, 10).map((copy, i) => repo.save(copy.set(`draft:r${i}`, `v${i}`))),
          repo.save(mover),
          ...copies.slice(10).map((copy, i) => repo.save(copy.set(`draft:r${i + 10}`, `v${i + 10}`))),
        ]);
        expect(outcomes).toEqual(Array(21).fill('saved'));
        const found = await reload(newId);
        for (let i = 0; i < 20; i++) expect(found.get(`draft:r${i}`)).toBe(`v${i}`);
        expect(await repo.findById(session.id)).toBeNull();
      });

      it('forwarding ends when the marker expires: the stale save is gone, the old id names nothing', async () => {
        const short = new AppSessionRepository(subject.store, { idForwardingMs: 1_000 });
        const session = await saved((s) => s.set('tenantId', 'short'));
        const stale = await reload(session.id);
        const mover = await reload(session.id);
        const newId = mover.changeSessionId();
        expect(await short.save(mover)).toBe('saved');
        expect(await short.findByIdOrMoved(session.id)).toBe('moved');
        await sleep(1_300);
        expect(await repo.findByIdOrMoved(session.id)).toBeNull();
        expect(await repo.save(stale.set('draft:expired', 'x'))).toBe('gone');
        expect((await reload(newId)).has('draft:expired')).toBe(false);
      });

      it('deleting the session under its new id ends forwarding and never brings it back', async () => {
        const session = await saved((s) => s.set('tenantId', 'deleted'));
        const stale = await reload(session.id);
        const mover = await reload(session.id);
        const newId = mover.changeSessionId();
        await repo.save(mover);
        await repo.deleteById(newId);
        expect(await repo.findByIdOrMoved(session.id)).toBeNull();
        expect(await repo.save(stale.set('draft:ghost', 'x'))).toBe('gone');
        expect(await repo.findById(newId)).toBeNull();
        expect(await repo.findById(session.id)).toBeNull();
      });

      it('an id never changed reads as not found, not moved', async () => {
        expect(await repo.findByIdOrMoved(randomUUID())).toBeNull();
        const session = await saved();
        await repo.deleteById(session.id);
        expect(await repo.findByIdOrMoved(session.id)).toBeNull();
      });
    });

    describe('expiry', () => {
      it('never returns an expired session, even before any cleanup', async () => {
        const session = repo.createSession();
        session.lastAccessedTime = Date.now() - 1801_000;
        await repo.save(session);
        expect(await repo.findById(session.id)).toBeNull();
      });

      it('treats a timeout of 0 as already expired', async () => {
        const session = repo.createSession();
        session.maxInactiveInterval = 0;
        await repo.save(session);
        expect(await repo.findById(session.id)).toBeNull();
      });

      it('expires a session after its timeout (1 s)', async () => {
        const session = repo.createSession();
        session.maxInactiveInterval = 1;
        await repo.save(session);
        expect(await repo.findById(session.id)).not.toBeNull();
        await sleep(1_300);
        expect(await repo.findById(session.id)).toBeNull();
      });

      it('keeps a session alive that is saved with a fresh lastAccessedTime', async () => {
        const session = repo.createSession();
        session.lastAccessedTime = Date.now() - 1000_000;
        await repo.save(session);
        const found = await reload(session.id);
        found.lastAccessedTime = Date.now();
        await repo.save(found);
        expect((await reload(session.id)).isExpired()).toBe(false);
      });

      it('never expires a negative timeout, and deletes it on request', async () => {
        const principal = user();
        const session = repo.createSession().set('principalName', principal);
        session.maxInactiveInterval = -1;
        session.lastAccessedTime = Date.now() - 10 * 365 * 86_400_000;
        await repo.save(session);
        const found = await reload(session.id);
        expect(found.isExpired()).toBe(false);
        await expectPrincipalIds(principal, [session.id]);
        await repo.deleteById(session.id);
        expect(await repo.findById(session.id)).toBeNull();
        await expectPrincipalIds(principal, []);
      });

      it('does not bring back an expired session by saving a stale copy', async () => {
        const session = repo.createSession();
        session.maxInactiveInterval = 1;
        await repo.save(session);
        const copy = await reload(session.id);
        await sleep(1_300);
        copy.set('tenantId', 'late');
        expect(await repo.save(copy)).toBe('gone');
        expect(await repo.findById(session.id)).toBeNull();
      });
    });

    describe('no resurrection', () => {
      it('a save after a concurrent delete writes nothing, and leaves no index entry', async () => {
        const principal = user();
        const session = await saved((s) => s.set('principalName', principal));
        const copy = await reload(session.id);
        await repo.deleteById(session.id);
        copy.set('tenantId', 'ghost');
        copy.lastAccessedTime = Date.now();
        expect(await repo.save(copy)).toBe('gone');
        expect(await repo.findById(session.id)).toBeNull();
        await expectPrincipalIds(principal, []);
      });

      it('an id change on a session deleted meanwhile: neither id resolves, no exception', async () => {
        const session = await saved();
        const copy = await reload(session.id);
        await repo.deleteById(session.id);
        copy.changeSessionId();
        expect(await repo.save(copy)).toBe('gone');
        expect(await repo.findById(session.id)).toBeNull();
        expect(await repo.findById(copy.id)).toBeNull();
      });
    });

    describe('listing ids', () => {
      const listed = async (pageSize?: number) => {
        const ids: string[] = [];
        for await (const id of repo.listIds(pageSize === undefined ? {} : { pageSize })) ids.push(id);
        return ids;
      };

      it('lists every live session across pages, and neither a deleted nor an expired one', async () => {
        const live = await Promise.all(Array.from({ length: 23 }, () => saved()));
        const deleted = await saved();
        await repo.deleteById(deleted.id);
        const expired = repo.createSession();
        expired.lastAccessedTime = Date.now() - 1801_000;
        await repo.save(expired);
        const forever = repo.createSession();
        forever.maxInactiveInterval = -1;
        forever.lastAccessedTime = Date.now() - 10 * 365 * 86_400_000;
        await repo.save(forever);
        for (const pageSize of [7, undefined]) {
          const ids = new Set(await listed(pageSize));
          for (const session of [...live, forever]) expect(ids.has(session.id), `${session.id} listed (page size ${pageSize})`).toBe(true);
          expect(ids.has(deleted.id)).toBe(false);
        }
        // Stores that keep an entry a moment past its expiry (Hazelcast's whole-second TTLs) drop it soon.
        const deadline = Date.now() + 10_000;
        while ((await listed()).includes(expired.id) && Date.now() < deadline) await sleep(200);
        expect(await listed()).not.toContain(expired.id);
        await repo.deleteById(forever.id);
      }, 30_000);

      it('keeps listing while the listed sessions are deleted (as a clear does)', async () => {
        const ours = new Set((await Promise.all(Array.from({ length: 12 }, () => saved()))).map((session) => session.id));
        const seen = new Set<string>();
        for await (const id of repo.listIds({ pageSize: 5 })) {
          if (!ours.has(id)) continue;
          seen.add(id);
          await repo.deleteById(id);
        }
        expect([...seen].sort()).toEqual([...ours].sort());
        for (const id of ours) expect(await repo.findById(id)).toBeNull();
      }, 30_000);
    });

    describe('events', () => {
      it('emits created once and deleted on delete', async () => {
        const session = await saved();
        session.set('tenantId', 'x');
        await repo.save(session);
        expect(eventsFor(session.id)).toEqual(['created']);
        await repo.deleteById(session.id);
        expect(eventsFor(session.id)).toEqual(['created', 'deleted']);
      });

      it('emits expired when the store sees a session expire (where it can tell)', async () => {
        const session = repo.createSession();
        session.maxInactiveInterval = 1;
        await repo.save(session);
        await sleep(1_200);
        await subject.expireNow?.();
        if (!subject.expiredEvents) {
          expect(eventsFor(session.id)).toEqual(['created']);
          return;
        }
        const deadline = Date.now() + 10_000;
        while (!eventsFor(session.id).includes('expired') && Date.now() < deadline) await sleep(100);
        expect(eventsFor(session.id)).toEqual(['created', 'expired']);
      }, 20_000);
    });

    describe('bounded sessions and values', () => {
      const big = 'x'.repeat(20_000);
      const thrownBy = (work: () => unknown): InvalidAttributeError => {
        try {
          work();
        } catch (err) {
          return err as InvalidAttributeError;
        }
        throw new Error('expected set to throw');
      };
      const stored = async (id: string) => (await subject.store.load(id))!.attributes;

      it('rejects at set strings holding U+0000 or a lone surrogate, nested too, and writes nothing', async () => {
        const session = await saved((s) => s.set('tenantId', 'acme'));
        const found = await reload(session.id);
        const bad: Array<[string, unknown, string]> = [
          ['draft:nul', 'a\u0000b', '/draft:nul'],
          ['draft:high', 'a\ud800', '/draft:high'],
          ['draft:low', '\udc00z', '/draft:low'],
          ['draft:reversed', '\udc00\ud800', '/draft:reversed'],
          ['roles', ['ok', 'x\u0000'], '/roles/1'],
          ['cart', [{ sku: 'ABC-1', quantity: 1, unitPriceCents: 1, note: 'half \ud83d' }], '/cart/0/note'],
          ['principalName', '\u0000', '/principalName'],
        ];
        for (const [name, value, path] of bad) {
          const error = thrownBy(() => found.set(name as never, value as never));
          expect(error, name).toBeInstanceOf(InvalidAttributeError);
          expect(error.path, name).toBe(path);
          expect(error.status, name).toBe(400);
          expect(error.reason, name).toMatch(/not every session store can keep/);
        }
        expect(found.hasChanges).toBe(false);
        expect(await repo.save(found)).toBe('unchanged');
        expect(await stored(session.id)).toEqual({ tenantId: 'acme' });
        found.set('draft:pair', 'clef 𝄞, accents é, NUL-free');
        await repo.save(found);
        expect((await reload(session.id)).get('draft:pair')).toBe('clef 𝄞, accents é, NUL-free');
      });

      it('round-trips the extreme numbers the schema accepts exactly', async () => {
        const numbers = [0, Number.MAX_SAFE_INTEGER, 2 ** 53 + 2, 1e21, 123456789012345680000, 1.7976931348623157e308];
        for (const value of numbers) {
          const session = await saved((s) => s.set('lastLoginAt', value).set('cart', [{ sku: 'BIG-1', quantity: 999, unitPriceCents: value }]));
          const found = await reload(session.id);
          expect(found.get('lastLoginAt'), String(value)).toBe(value);
          expect(found.get('cart')![0]!.unitPriceCents, String(value)).toBe(value);
        }
      });

      it('the largest allowed timeout (10 years) round-trips; past it is a RangeError before anything is written', async () => {
        const session = repo.createSession();
        session.maxInactiveInterval = MAX_INACTIVE_INTERVAL;
        await repo.save(session);
        const found = await reload(session.id);
        expect(found.maxInactiveInterval).toBe(MAX_INACTIVE_INTERVAL);
        expect(found.isExpired()).toBe(false);
        for (const bad of [MAX_INACTIVE_INTERVAL + 1, 2 ** 31, -2, 1.5, Number.NaN]) {
          expect(() => (found.maxInactiveInterval = bad), String(bad)).toThrow(RangeError);
          expect(() => new AppSessionRepository(subject.store, { maxInactiveInterval: bad }), String(bad)).toThrow(RangeError);
        }
        expect(found.hasChanges).toBe(false);
        const forever = repo.createSession();
        forever.maxInactiveInterval = -1;
        await repo.save(forever);
        expect((await reload(forever.id)).maxInactiveInterval).toBe(-1);
      });

      it('a set past maxSessionBytes (64 KiB) throws SessionLimitError and writes nothing; a reload counts the same', async () => {
        const session = await saved((s) => s.set('draft:a', big).set('draft:b', big).set('draft:c', big));
        const found = await reload(session.id);
        expect(found.sizeInBytes).toBe(session.sizeInBytes);
        expect(found.sizeInBytes).toBe(JSON.stringify(await stored(session.id)).length);
        const error = thrownBy(() => found.set('draft:d', big)) as SessionLimitError;
        expect(error).toBeInstanceOf(SessionLimitError);
        expect(error).toMatchObject({ limit: 'maxSessionBytes', max: 65_536, path: '/draft:d', status: 413 });
        expect(error.wouldBe).toBeGreaterThan(65_536);
        expect(found.hasChanges).toBe(false);
        found.set('draft:d', 'small');
        await repo.save(found);
        expect(Object.keys(await stored(session.id)).sort()).toEqual(['draft:a', 'draft:b', 'draft:c', 'draft:d']);
      });

      it('a pattern family holds at most its maxAttributes (50 drafts)', async () => {
        const session = await saved((s) => {
          for (let i = 0; i < 50; i++) s.set(`draft:n${i}`, `note ${i}`);
        });
        const found = await reload(session.id);
        const error = thrownBy(() => found.set('draft:n50', 'one too many')) as SessionLimitError;
        expect(error).toMatchObject({ limit: 'maxAttributes', max: 50, wouldBe: 51, path: '/draft:n50', status: 413 });
        found.set('draft:n0', 'replaced').remove('draft:n1').set('draft:n50', 'fits now');
        await repo.save(found);
        const names = Object.keys(await stored(session.id)).filter((name) => name.startsWith('draft:'));
        expect(names).toHaveLength(50);
        expect(names).toContain('draft:n50');
      });

      it('a session stored over its limit (planted) still loads, and takes writes that do not grow it', async () => {
        const session = await saved((s) => s.set('draft:a', big));
        for (const name of ['draft:b', 'draft:c', 'draft:d']) await subject.plantRaw(session.id, name, JSON.stringify(big));
        const found = await reload(session.id);
        expect(found.attributeNames().sort()).toEqual(['draft:a', 'draft:b', 'draft:c', 'draft:d']);
        expect(found.sizeInBytes).toBeGreaterThan(65_536);
        expect(() => found.set('draft:e', 'x')).toThrow(SessionLimitError);
        found.set('draft:a', 'shorter').set('draft:b', 'y'.repeat(20_000)).remove('draft:c');
        await repo.save(found);
        const after = await stored(session.id);
        expect(Object.keys(after).sort()).toEqual(['draft:a', 'draft:b', 'draft:d']);
        expect(after['draft:a']).toBe('shorter');
      });
    });

    describeGovernance(() => subject);
    describeInstances(() => subject);

    describe('validated loads', () => {
      it('hides stored values the schema rejects, reports each, and leaves them in the store until the app writes them', async () => {
        const tenant = `t-${randomUUID().slice(0, 8)}`;
        const session = await saved((s) => s.set('principalName', 'planted').set('tenantId', tenant));
        const id = session.id;
        const planted: Record<string, unknown> = {
          roles: ['java.util.ArrayList', ['admin']],
          lastLoginAt: 'yesterday',
          locale: 42,
          'draft:x': { not: 'a string' },
          isAdmin: true,
          'draft:NOT-A-DRAFT': 'x',
        };
        for (const [name, value] of Object.entries(planted)) await subject.plantRaw(id, name, JSON.stringify(value));
        const before = events.length;
        const found = await reload(id);
        expect(found.attributeNames().sort()).toEqual(['principalName', 'tenantId']);
        expect(found.attributesSnapshot()).toEqual({ principalName: 'planted', tenantId: tenant });
        expect(found.get('roles')).toBeUndefined();
        expect(found.has('lastLoginAt')).toBe(false);
        expect(found.get('locale')).toBe('en-GB');
        const reported = events.slice(before).filter((event) => event.type === 'invalid-attribute');
        expect(reported.map((event) => event.attribute).sort()).toEqual(['draft:x', 'lastLoginAt', 'locale', 'roles']);
        for (const event of reported) expect(event).toMatchObject({ sessionId: id, reason: expect.stringMatching(/^\/\S*: \S/) });
        const rolesReason = reported.find((event) => event.attribute === 'roles')!.reason;
        if (caps.refusesJavaTypeIds) expect(rolesReason).toMatch(/Java type id 'java\.util\.ArrayList'.*springSession\w+ bean/);
        else expect(rolesReason).toBe('/1: must be string');
        if (caps.secondaryIndexes) {
          const byIndex = (await repo.findByTenantId(tenant)).get(id)!;
          expect(byIndex.attributeNames().sort()).toEqual(['principalName', 'tenantId']);
        } else {
          await expect(repo.findByTenantId(tenant)).rejects.toThrow(/keeps no index of 'tenantId'/);
        }

        // A save of something else writes none of them back and deletes none of them.
        found.set('principalName', 'planted-2');
        found.lastAccessedTime = Date.now();
        await repo.save(found);
        expect(await subject.store.load(id)).toMatchObject({ attributes: { ...planted, principalName: 'planted-2', tenantId: tenant } });

        // The app setting or removing one is what changes it.
        const again = await reload(id);
        again.set('roles', ['admin']).remove('lastLoginAt');
        await repo.save(again);
        const after = (await subject.store.load(id))!.attributes;
        expect(after.roles).toEqual(['admin']);
        expect('lastLoginAt' in after).toBe(false);
        expect(after).toMatchObject({ locale: 42, 'draft:x': { not: 'a string' }, isAdmin: true, 'draft:NOT-A-DRAFT': 'x' });
        expect((await reload(id)).get('roles')).toEqual(['admin']);
      });
    });
  });
}
