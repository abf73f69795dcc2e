/**
 * The cheap save path (the TOUCH script, for updates that change no id, remove nothing and change
 * no index value) hands every case it cannot finish to SAVE: index entries whose score no longer
 * bounds the new expiry, a switch to or from "never expires", and an expiry already passed.
 * Checked on what Redis holds, on both topologies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { AppSessionRepository, appSessionDescriptor } from '../../generated/index.js';
import { openStore, type OpenedStore, SUBJECTS } from './helpers.js';

const principal = appSessionDescriptor.indexes.find((index) => index.name === 'principalName')!;

for (const { topology, library } of SUBJECTS) {
  describe(`cheap saves fall back to the full save when they must (${topology}, ${library})`, () => {
    let opened: OpenedStore;
    let repo: AppSessionRepository;
    beforeAll(async () => {
      opened = await openStore(topology, { keyspaceNotifications: 'off' }, undefined, library);
      repo = new AppSessionRepository(opened.store);
    }, 60_000);
    afterAll(async () => opened?.close(), 60_000);

    // A Cluster client routes each single-key command to its slot's master.
    const redis = () => opened.admin as Redis;
    const score = async (user: string, id: string) => Number(await redis().zscore(opened.store.keys.index(principal, user), id));
    const expiry = async (id: string) => Number(await redis().pexpiretime(opened.store.keys.session(id)));

    it('a plain attribute change on a fresh session keeps the index entry and moves the hash expiry', async () => {
      const user = `touch-${Date.now()}`;
      const session = repo.createSession().set('principalName', user);
      await repo.save(session);
      const before = await score(user, session.id);
      const loaded = (await repo.findById(session.id))!;
      loaded.lastAccessedTime = Date.now() + 2_000;
      loaded.set('roles', ['touched']);
      expect(await repo.save(loaded)).toBe('saved');
      expect(await expiry(session.id)).toBe(loaded.lastAccessedTime + 1_800_000);
      expect(await score(user, session.id)).toBe(before);
      expect((await repo.findById(session.id))!.get('roles')).toEqual(['touched']);
      expect([...(await repo.findByPrincipalName(user)).keys()]).toEqual([session.id]);
    });

    it('a longer timeout than the index bound covers rewrites the index score', async () => {
      const user = `longer-${Date.now()}`;
      const session = repo.createSession().set('principalName', user);
      await repo.save(session);
      const loaded = (await repo.findById(session.id))!;
      loaded.maxInactiveInterval = 86_400;
      loaded.set('roles', ['longer']);
      expect(await repo.save(loaded)).toBe('saved');
      const newExpiry = loaded.lastAccessedTime + 86_400_000;
      expect(await expiry(session.id)).toBe(newExpiry);
      expect(await score(user, session.id)).toBeGreaterThanOrEqual(newExpiry);
      expect([...(await repo.findByPrincipalName(user)).keys()]).toEqual([session.id]);
    });

    it('switching to "never expires" persists the hash and scores the index entry +inf', async () => {
      const user = `forever-${Date.now()}`;
      const session = repo.createSession().set('principalName', user);
      await repo.save(session);
      const loaded = (await repo.findById(session.id))!;
      loaded.maxInactiveInterval = -1;
      expect(await repo.save(loaded)).toBe('saved');
      expect(await redis().pttl(opened.store.keys.session(session.id))).toBe(-1);
      expect(await redis().zscore(opened.store.keys.index(principal, user), session.id)).toBe('inf');
      await repo.deleteById(session.id);
    });

    it('a save whose expiry has already passed deletes the session and its index entry', async () => {
      const user = `passed-${Date.now()}`;
      const session = repo.createSession().set('principalName', user);
      await repo.save(session);
      const loaded = (await repo.findById(session.id))!;
      loaded.lastAccessedTime = Date.now() - 3_600_000;
      loaded.set('roles', ['late']);
      await repo.save(loaded);
      expect(await redis().exists(opened.store.keys.session(session.id))).toBe(0);
      expect(await repo.findById(session.id)).toBeNull();
      expect(await repo.findByPrincipalName(user)).toEqual(new Map());
    });
  });
}
