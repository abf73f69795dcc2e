/**
 * Concurrent first saves (Spring Session #1213): two requests saving the same new session, or the
 * same attribute for the first time, must never raise a duplicate-key error, and nothing is lost.
 * Runs on PostgreSQL, MariaDB and SQLite; the statement text is checked per dialect as well.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import type { SessionWrite } from '@sessiongen/runtime';
import { migrateSqlSchema, SqlSessionStore } from '@sessiongen/runtime/sql';
import { AppSessionRepository, appSessionDescriptor } from '../../generated/index.js';
import { appSessionSqlMigrations } from '../../generated/sql/migrations/index.js';
import { sqlStatements } from '../../runtime/stores/sql/dialects/index.js';
import { dropTables, LIVE_DIALECTS, openKnex, uniqueTable } from './live.js';

const newWrite = (id: string, set: Record<string, unknown>): SessionWrite => {
  const now = Date.now();
  return { id, isNew: true, creationTime: now, lastAccessedTime: now, maxInactiveInterval: 1800, expiresAt: now + 1_800_000, set, removed: [], indexes: { principalName: null, tenantId: null }, changedIndexes: [], now };
};

describe('upsert statements per dialect', () => {
  const patch = (name: Parameters<typeof sqlStatements>[0]) => sqlStatements(name).patchAttributes('a', [], [['x', '1']]);
  it('MariaDB reads the new row through VALUES(); MySQL 8 through the row alias; neither replaces rows', () => {
    const mariadb = sqlStatements('mariadb').upsertTail('`t`', ['last_access_time'], patch('mariadb')).sql;
    expect(mariadb).toMatch(/^ON DUPLICATE KEY UPDATE `last_access_time` = VALUES\(`last_access_time`\)/);
    expect(mariadb).not.toMatch(/AS `new`/);
    const mysql = sqlStatements('mysql').upsertTail('`t`', ['last_access_time'], patch('mysql')).sql;
    expect(mysql).toMatch(/^AS `new` ON DUPLICATE KEY UPDATE `last_access_time` = `new`.`last_access_time`/);
    expect(mysql).not.toMatch(/VALUES\(/);
  });
  it('SQLite uses ON CONFLICT … DO UPDATE, never INSERT OR REPLACE; PostgreSQL merges jsonb', () => {
    expect(sqlStatements('sqlite').upsertTail('"t"', ['last_access_time'], patch('sqlite')).sql).toMatch(/^ON CONFLICT \("session_id"\) DO UPDATE SET/);
    expect(sqlStatements('postgres').upsertTail('"t"', [], patch('postgres')).sql).toBe('ON CONFLICT ("session_id") DO UPDATE SET "attributes" = "t"."attributes" || EXCLUDED."attributes"');
  });
});

for (const dialect of LIVE_DIALECTS) {
  describe(`${dialect}: concurrent first saves`, () => {
    let knex: Knex;
    let store: SqlSessionStore;
    let repo: AppSessionRepository;
    const table = uniqueTable('upsert');

    beforeAll(async () => {
      knex = openKnex(dialect, { pool: 8 });
      await migrateSqlSchema(knex, appSessionSqlMigrations, { table });
      store = new SqlSessionStore(appSessionDescriptor, knex, { table, cleanupIntervalMs: false });
      repo = new AppSessionRepository(store);
    });
    afterAll(async () => {
      await store?.close();
      if (knex) {
        await dropTables(knex, table);
        await knex.destroy();
      }
    });

    it('20 concurrent creates of one new session all succeed and merge their attributes', async () => {
      const id = `race-${Math.random().toString(36).slice(2)}`;
      const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => store.write(newWrite(id, { [`draft:c${i}`]: `v${i}`, tenantId: 'shared' }))));
      expect(outcomes).toEqual(Array(20).fill('written'));
      const record = await store.load(id);
      expect(Object.keys(record!.attributes).sort()).toEqual([...Array.from({ length: 20 }, (_, i) => `draft:c${i}`), 'tenantId'].sort());
    });

    it('20 copies saving the same attribute for the first time: no error, one value wins, others kept', async () => {
      const session = repo.createSession().set('principalName', 'p');
      await repo.save(session);
      const copies = await Promise.all(Array.from({ length: 20 }, () => repo.findById(session.id)));
      const outcomes = await Promise.all(copies.map((copy, i) => repo.save(copy!.set('draft:same', `value ${i}`))));
      expect(outcomes).toEqual(Array(20).fill('saved'));
      const found = await repo.findById(session.id);
      expect(found!.get('draft:same')).toMatch(/^value \d+$/);
      expect(found!.get('principalName')).toBe('p');
    });

    it('the same Session object saved twice at once while new: both succeed, one row', async () => {
      const session = repo.createSession().set('tenantId', 'twice');
      const [a, b] = await Promise.all([repo.save(session), repo.save(session)]);
      expect([a, b].filter((outcome) => outcome === 'saved').length).toBeGreaterThanOrEqual(1);
      const rows = await knex(table).where('session_id', session.id).count({ n: '*' });
      expect(Number(rows[0]!.n)).toBe(1);
    });
  });
}
