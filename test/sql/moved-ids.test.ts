/**
 * The SQL store's id-change markers (`<table>_moved_ids`, made by the generated migration): an id
 * change records old id → new id with its expiry in the same statement or transaction as the
 * rename, the cleanup drops expired markers and keeps live ones. PostgreSQL, MariaDB and SQLite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { migrateSqlSchema, sqlMovedIdsTableNames, SqlSessionStore } from '@sessiongen/runtime/sql';
import { AppSessionRepository, appSessionDescriptor } from '../../generated/index.js';
import { appSessionSqlMigrations } from '../../generated/sql/migrations/index.js';
import { dropTables, LIVE_DIALECTS, openKnex, uniqueTable } from './live.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const dialect of LIVE_DIALECTS) {
  describe(`${dialect}: id-change markers`, () => {
    let knex: Knex;
    let store: SqlSessionStore;
    const table = uniqueTable('moved');
    const markers = async () =>
      ((await knex(sqlMovedIdsTableNames(table).table).select('old_id', 'new_id', 'expiry_time')) as Array<{ old_id: string; new_id: string; expiry_time: unknown }>).map((row) => ({
        old: row.old_id,
        new: row.new_id,
        until: Number(row.expiry_time),
      }));

    beforeAll(async () => {
      knex = openKnex(dialect);
      await migrateSqlSchema(knex, appSessionSqlMigrations, { table });
      store = new SqlSessionStore(appSessionDescriptor, knex, { table, cleanupIntervalMs: false });
    });
    afterAll(async () => {
      await store?.close();
      if (knex) {
        await dropTables(knex, table);
        await knex.destroy();
      }
    });

    it('records old id → new id until now + idForwardingMs; the cleanup drops it once expired, not before', async () => {
      const short = new AppSessionRepository(store, { idForwardingMs: 200 });
      const long = new AppSessionRepository(store);
      const a = short.createSession();
      const b = long.createSession();
      await Promise.all([short.save(a), long.save(b)]);
      const [oldA, oldB] = [a.id, b.id];
      a.changeSessionId();
      b.changeSessionId();
      const before = Date.now();
      await Promise.all([short.save(a), long.save(b)]);
      const recorded = await markers();
      expect(recorded.map((m) => [m.old, m.new]).sort()).toEqual([[oldA, a.id], [oldB, b.id]].sort());
      const untilA = recorded.find((m) => m.old === oldA)!.until;
      expect(untilA).toBeGreaterThanOrEqual(before + 200);
      expect(untilA).toBeLessThanOrEqual(Date.now() + 200);
      await sleep(300);
      await store.cleanupExpired();
      expect((await markers()).map((m) => m.old)).toEqual([oldB]);
      expect(await long.findByIdOrMoved(oldB)).toBe('moved');
    });

    it('an id change that finds no session leaves no marker', async () => {
      const repo = new AppSessionRepository(store);
      const session = repo.createSession();
      await repo.save(session);
      const stale = (await repo.findById(session.id))!;
      await repo.deleteById(session.id);
      stale.changeSessionId();
      expect(await repo.save(stale)).toBe('gone');
      expect((await markers()).map((m) => m.old)).not.toContain(session.id);
    });
  });
}
