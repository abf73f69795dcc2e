/**
 * Two instances of one store on the same data, as two app servers open it: whatever one instance
 * has acknowledged (a save, a delete, an id change), the other's next load sees. A store that keeps
 * anything in memory (a client-side cache) must pass these as every other store does.
 */
import { describe, expect, it } from 'vitest';
import type { SessionStore } from '@sessiongen/runtime';
import { AppSessionRepository } from '../../generated/index.js';
import type { StoreUnderTest } from './suite.js';

/** Another instance of the subject's store on the same data, with a client of its own. */
export interface PeerStore {
  store: SessionStore;
  close(): Promise<void>;
}

const ROUNDS = 150;
const SESSIONS = 8;
const VERSIONS = 40;

export function describeInstances(subject: () => StoreUnderTest): void {
  describe('two instances of one store', () => {
    const NO_PEER = 'the subject opens no second instance (openPeer)';

    const withPeer = async (run: (a: AppSessionRepository, b: AppSessionRepository) => Promise<void>) => {
      const peer = await subject().openPeer!();
      try {
        await run(new AppSessionRepository(subject().store), new AppSessionRepository(peer.store));
      } finally {
        await peer.close();
      }
    };

    it("sees the other instance's save, delete and id change in its next load, round after round", async (ctx) => {
      if (!subject().openPeer) return ctx.skip(NO_PEER);
      await withPeer(async (a, b) => {
        const created = b.createSession().set('lastLoginAt', 0);
        await b.save(created);
        let id = created.id;
        for (let round = 1; round <= ROUNDS; round++) {
          // Twice: a store that caches serves the second from memory.
          expect((await a.findById(id))?.get('lastLoginAt')).toBe(round - 1);
          expect((await a.findById(id))?.get('lastLoginAt')).toBe(round - 1);
          const copy = (await b.findById(id))!;
          copy.set('lastLoginAt', round);
          if (round % 25 === 0) copy.changeSessionId();
          expect(await b.save(copy)).toBe('saved');
          if (copy.id !== id) {
            expect(await a.findById(id), `round ${round}: the old id after an id change`).toBeNull();
            id = copy.id;
          }
          expect((await a.findById(id))?.get('lastLoginAt'), `round ${round}`).toBe(round);
        }
        await a.findById(id);
        await b.deleteById(id);
        expect(await a.findById(id)).toBeNull();
      });
    }, 60_000);

    it('never reads an older version than the other instance acknowledged, under concurrent loads, saves, id changes and deletes', async (ctx) => {
      if (!subject().openPeer) return ctx.skip(NO_PEER);
      await withPeer(async (a, b) => {
        const ids: string[] = [];
        for (let i = 0; i < SESSIONS; i++) {
          const session = b.createSession().set('lastLoginAt', 0);
          await b.save(session);
          ids.push(session.id);
        }
        /** Per slot: the id now, the last acknowledged version, and ids acknowledged as gone. */
        const acked = ids.map((id) => ({ id, version: 0 }));
        const gone = new Set<string>();
        const stale: string[] = [];
        let loads = 0;
        let writing = true;
        /** One load by the first instance, checked against what the second had acknowledged when it began. */
        const check = async (id: string, version: number) => {
          const wasGone = gone.has(id);
          const found = await a.findById(id);
          loads++;
          if (wasGone && found !== null) stale.push(`${id} read after its delete or id change was acknowledged`);
          else if (!wasGone && found !== null && found.get('lastLoginAt')! < version) stale.push(`${id}: read ${found.get('lastLoginAt')} after ${version} was acknowledged`);
        };
        /** Loads the slots round-robin from `from` while the writers run (reads racing the writes and their invalidations). */
        const reader = async (from: number) => {
          for (let n = from; writing; n++) {
            const { id, version } = acked[n % SESSIONS]!;
            await check(id, version);
          }
        };
        /** Writes versions of one slot; right after each acknowledgement, loads it on the first instance. */
        const writer = async (slot: (typeof acked)[number]) => {
          for (let version = 1; version <= VERSIONS; version++) {
            const copy = (await b.findById(slot.id))!;
            copy.set('lastLoginAt', version);
            const before = slot.id;
            if (version % 10 === 0) copy.changeSessionId();
            expect(await b.save(copy)).toBe('saved');
            if (copy.id !== before) {
              gone.add(before);
              slot.id = copy.id;
              await check(before, version);
            }
            slot.version = version;
            await check(slot.id, version);
          }
          const last = slot.id;
          await b.deleteById(last);
          gone.add(last);
          await check(last, VERSIONS);
        };
        const readers = Array.from({ length: 16 }, (_, i) => reader(i));
        await Promise.all(acked.map((slot) => writer(slot)));
        writing = false;
        await Promise.all(readers);
        expect(stale).toEqual([]);
        // The readers ran throughout: more loads than acknowledged writes.
        expect(loads).toBeGreaterThan(SESSIONS * VERSIONS);
        for (const slot of acked) expect(await a.findById(slot.id)).toBeNull();
      });
    }, 120_000);
  });
}
