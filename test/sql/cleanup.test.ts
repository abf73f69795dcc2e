/**
 * Expired-row cleanup run by three app instances at once (three stores, three pools) over 20,000
 * expired rows: no deadlock, no error, no row deleted twice, live rows untouched. PostgreSQL and
 * MariaDB claim batches with SKIP LOCKED; SQLite has one writer at a time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { migrateSqlSchema, SqlSessionStore } from '@sessiongen/runtime/sql';
import { appSessionDescriptor } from '../../generated/index.js';
import { appSessionSqlMigrations } from '../../generated/sql/migrations/index.js';
import { dropTables, LIVE_DIALECTS, openKnex, sqliteFile, uniqueTable } from './live.js';

const EXPIRED = 20_000;
const ALIVE = 300;

for (const dialect of LIVE_DIALECTS) {
  describe(`${dialect}: three concurrent cleaners`, () => {
    const table = uniqueTable('clean');
    const sqlitePath = dialect === 'sqlite' ? sqliteFile() : undefined;
    const knexes: Knex[] = [];

    beforeAll(async () => {
      for (let i = 0; i < 3; i++) knexes.push(openKnex(dialect, { pool: 3, sqlitePath }));
      await migrateSqlSchema(knexes[0]!, appSessionSqlMigrations, { table });
      const now = Date.now();
      const rows = Array.from({ length: EXPIRED + ALIVE }, (_, i) => {
        const expired = i < EXPIRED;
        return {
          primary_id: `p-${String(i).padStart(6, '0')}`,
          session_id: `s-${String(i).padStart(6, '0')}`,
          creation_time: now - 3_600_000,
          last_access_time: expired ? now - 3_600_000 : now,
          max_inactive_interval: i === EXPIRED ? -1 : 1800,
          expiry_time: i === EXPIRED ? null : (expired ? now - 3_600_000 : now) + 1_800_000 - (expired ? 0 : 0),
          principal_name: `u-${i % 97}`,
          attributes: JSON.stringify({ principalName: `u-${i % 97}` }),
        };
      });
      await knexes[0]!.batchInsert(table, rows, dialect === 'sqlite' ? 100 : 1000);
    }, 120_000);

    afterAll(async () => {
      if (knexes[0]) await dropTables(knexes[0], table);
      for (const knex of knexes) await knex.destroy();
    });

    it('deletes each expired row exactly once, without deadlock or error, and keeps live rows', async () => {
      const stores = knexes.map((knex) => new SqlSessionStore(appSessionDescriptor, knex, { table, cleanupIntervalMs: false, cleanupBatchSize: 250 }));
      const seen: string[][] = stores.map(() => []);
      stores.forEach((store, i) => store.onExpired((id) => seen[i]!.push(id)));
      const counts = await Promise.all(stores.map((store) => store.cleanupExpired()));
      expect(counts.reduce((a, b) => a + b, 0)).toBe(EXPIRED);
      const all = seen.flat();
      expect(all).toHaveLength(EXPIRED);
      expect(new Set(all).size).toBe(EXPIRED);
      if (dialect !== 'sqlite') expect(counts.filter((count) => count > 0).length, `work split ${counts.join('/')}`).toBeGreaterThanOrEqual(2);
      const left = await knexes[0]!(table).count({ n: '*' });
      expect(Number(left[0]!.n)).toBe(ALIVE);
      expect(await stores[0]!.load(`s-${String(EXPIRED).padStart(6, '0')}`)).not.toBeNull(); // never expires
      expect(await Promise.all(stores.map((store) => store.cleanupExpired()))).toEqual([0, 0, 0]);
      for (const store of stores) await store.close();
    }, 120_000);

    it('can be switched off per instance, and runs on its own when on', async () => {
      const off = new SqlSessionStore(appSessionDescriptor, knexes[1]!, { table, cleanupIntervalMs: false });
      expect(off.cleanupScheduled).toBe(false);
      await off.close();
      await knexes[0]!(table).insert({
        primary_id: 'p-auto', session_id: 's-auto', creation_time: 1, last_access_time: 1, max_inactive_interval: 1, expiry_time: 1001, attributes: '{}',
      });
      const on = new SqlSessionStore(appSessionDescriptor, knexes[2]!, { table, cleanupIntervalMs: 20 });
      expect(on.cleanupScheduled).toBe(true);
      const deadline = Date.now() + 10_000;
      while ((await on.load('s-auto')) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
      expect(await on.load('s-auto')).toBeNull();
      await on.close();
      expect(on.cleanupScheduled).toBe(false);
    }, 20_000);
  });
}
