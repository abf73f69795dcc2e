/**
 * Indexes never leak: 10 000 sessions cycle through one principal (deleted, expired, re-assigned
 * to another principal, moved to a new id, never-expiring and deleted). At every checkpoint the
 * principal's index holds no more than the sessions that can still be live, and at the end it
 * holds exactly the live ones; once they are gone, no key of the layout is left.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppSessionRepository, type AppSession } from '../../generated/index.js';
import { appSessionRedisKeys } from '../../generated/redis/keys.js';
import { keysUnder, openStore, sleep, type OpenedStore, SUBJECTS } from './helpers.js';

const TOTAL = 10_000;
const BATCH = 100;

for (const { topology, library } of SUBJECTS) {
  describe(`Redis index upkeep with ${TOTAL} sessions (${topology}, ${library})`, () => {
    let opened: OpenedStore;
    let repo: AppSessionRepository;

    beforeAll(async () => {
      opened = await openStore(topology, { keyspaceNotifications: 'off' }, undefined, library);
      // Id changes leave a moved marker for idForwardingMs: a second, so none is left at the end.
      repo = new AppSessionRepository(opened.store, { idForwardingMs: 1_000 });
    });
    afterAll(() => opened?.close());

    it('keeps the index bounded by the live sessions and leaves nothing behind', async () => {
      const keys = appSessionRedisKeys(opened.prefix);
      const principal = 'cycling-user';
      const indexKey = keys.principalNameIndex(principal);
      /** Long-lived sessions still holding the principal: at most the last few batches. */
      const live = new Map<string, AppSession>();
      /** When each 1-second session was saved: they may sit in the index until their score passes. */
      const shortLived: number[] = [];

      for (let start = 0; start < TOTAL; start += BATCH) {
        const batch = await Promise.all(
          Array.from({ length: BATCH }, async (_, k) => {
            const n = start + k;
            const session = repo.createSession().set('principalName', principal).set('tenantId', `t-${n % 7}`);
            if (n % 4 === 1) session.maxInactiveInterval = 1;
            if (n % 100 === 3 || n % 100 === 4) session.maxInactiveInterval = -1; // moved or deleted later
            await repo.save(session);
            return { n, session };
          }),
        );
        const savedAt = Date.now();
        await Promise.all(
          batch.map(async ({ n, session }) => {
            switch (n % 4) {
              case 0: // logout
                await repo.deleteById(session.id);
                break;
              case 1: // left to expire (1 s)
                shortLived.push(savedAt);
                break;
              case 2: {
                // re-assigned to another principal, from a reloaded copy, then deleted later or not
                const copy = (await repo.findById(session.id))!;
                await repo.save(copy.set('principalName', `other-${n % 3}`));
                if (n % 8 === 2) await repo.deleteById(session.id);
                else live.set(`other:${session.id}`, copy);
                break;
              }
              case 3: {
                // id change (login), keeps the principal; stays live until a later batch deletes it
                session.changeSessionId();
                expect(await repo.save(session)).toBe('saved');
                live.set(session.id, session);
                break;
              }
            }
          }),
        );
        // Older long-lived sessions of the principal are deleted: keep only the last 3 batches' worth.
        const principalLive = [...live.entries()].filter(([key]) => !key.startsWith('other:'));
        const excess = principalLive.slice(0, Math.max(0, principalLive.length - 3 * (BATCH / 4)));
        await Promise.all(excess.map(([key, session]) => repo.deleteById(session.id).then(() => live.delete(key))));

        if ((start / BATCH) % 10 === 9) {
          const card = await opened.admin.zcard(indexKey);
          const stillLive = [...live.keys()].filter((key) => !key.startsWith('other:')).length;
          const recentShort = shortLived.filter((at) => at > Date.now() - 2_500).length;
          expect(card, `index size after ${start + BATCH} sessions`).toBeLessThanOrEqual(stillLive + recentShort);
        }
      }

      const expectedLive = [...live.entries()].filter(([key]) => !key.startsWith('other:')).map(([, s]) => s.id);
      expect(expectedLive.length).toBe(3 * (BATCH / 4));
      await sleep(1_200); // the last 1-second sessions expire
      const found = await repo.findByPrincipalName(principal);
      expect([...found.keys()].sort()).toEqual(expectedLive.sort());
      // findByPrincipalName pruned on read: exactly the live members remain.
      expect((await opened.admin.zrange(indexKey, '0', '-1')).sort()).toEqual(expectedLive.sort());
      // The key lives exactly as long as its longest-lived member's score (-1: one never expires).
      const liveSessions = expectedLive.map((id) => live.get(id)!);
      const maxScore = liveSessions.some((s) => s.maxInactiveInterval < 0)
        ? -1
        : Math.max(...liveSessions.map((s) => s.lastAccessedTime + s.maxInactiveInterval * 1500)); // expiry + half a timeout
      expect(await opened.admin.call('PEXPIRETIME', indexKey)).toBe(maxScore);

      // Everything still live goes; nothing of the layout may remain (other principals' keys too).
      for (const session of live.values()) await repo.deleteById(session.id);
      await sleep(1_100);
      const left = await keysUnder(opened.admin, opened.prefix);
      const indexKeysLeft = left.filter((key) => key.includes(':index:'));
      // Index keys whose members all expired disappear by their own TTL (PEXPIREAT the last score).
      expect(indexKeysLeft).toEqual([]);
      expect(left.filter((key) => key.endsWith(':moving'))).toEqual([]);
      expect(left).toEqual([]);
    }, 240_000);
  });
}
