/**
 * The emitted DDL applied to live servers: PostgreSQL (in a schema of its own), MariaDB (in a
 * database of its own; the MySQL 8 DDL too, where the two agree) and SQLite. Then a store works
 * on what it created. MSSQL and Oracle DDL are emitted and golden-tested only.
 */
import { readFileSync } from 'node:fs';
import knexFactory, { type Knex } from 'knex';
import { afterAll, describe, expect, it } from 'vitest';
import type { SessionWrite } from '@sessiongen/runtime';
import { SqlSessionStore } from '@sessiongen/runtime/sql';
import { appSessionDescriptor } from '../../generated/index.js';
import { splitStatements } from '../../generator/emitters/sql/ddl-file.js';
import { MARIADB_URL, POSTGRES_URL, uniqueTable } from './live.js';

const statements = (dialect: string) => splitStatements(readFileSync(`generated/sql/${dialect}.sql`, 'utf8'));

/** Runs an emitted DDL script's statements in one transaction, as a DBA applying the file would. */
async function applySqlSchema(knex: Knex, list: readonly string[]): Promise<void> {
  await knex.transaction(async (trx) => {
    for (const statement of list) await trx.raw(statement);
  });
}

const write = (id: string, principal: string): SessionWrite => ({
  id,
  isNew: true,
  creationTime: Date.now(),
  lastAccessedTime: Date.now(),
  maxInactiveInterval: 1800,
  expiresAt: Date.now() + 1_800_000,
  set: { principalName: principal, cart: [{ sku: 'ABC-1', quantity: 1, unitPriceCents: 5 }] },
  removed: [],
  indexes: { principalName: principal, tenantId: null },
  changedIndexes: ['principalName'],
  now: Date.now(),
});

async function exercise(knex: Knex): Promise<void> {
  const store = new SqlSessionStore(appSessionDescriptor, knex, { cleanupIntervalMs: false });
  await store.write(write('s-1', 'alice'));
  const found = await store.findByIndex(appSessionDescriptor.indexes[0]!, 'alice');
  expect(found.map((record) => record.id)).toEqual(['s-1']);
  expect(found[0]!.attributes.cart).toEqual([{ sku: 'ABC-1', quantity: 1, unitPriceCents: 5 }]);
  await store.close();
}

describe('emitted DDL on live servers', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('PostgreSQL 15: sql/postgres.sql creates the table, its typed columns and indexes', async () => {
    const schema = uniqueTable('ddl');
    const admin = knexFactory({ client: 'pg', connection: POSTGRES_URL, pool: { min: 0, max: 1 } });
    await admin.raw(`CREATE SCHEMA "${schema}"`);
    cleanups.push(async () => {
      await admin.raw(`DROP SCHEMA "${schema}" CASCADE`);
      await admin.destroy();
    });
    const knex = knexFactory({ client: 'pg', connection: POSTGRES_URL, searchPath: [schema], pool: { min: 0, max: 2 } });
    cleanups.push(() => knex.destroy());
    await applySqlSchema(knex, statements('postgres'));
    const columns = await knex.raw(
      `SELECT column_name, data_type, character_maximum_length FROM information_schema.columns WHERE table_schema = ? AND table_name = 'app_session' ORDER BY ordinal_position`,
      [schema],
    );
    expect(columns.rows.map((row: { column_name: string }) => row.column_name)).toEqual([
      'primary_id', 'session_id', 'creation_time', 'last_access_time', 'max_inactive_interval', 'expiry_time', 'principal_name', 'tenant_id', 'attributes',
    ]);
    expect(columns.rows.find((row: { column_name: string }) => row.column_name === 'attributes').data_type).toBe('jsonb');
    expect(columns.rows.find((row: { column_name: string }) => row.column_name === 'principal_name').character_maximum_length).toBe(100);
    const indexes = await knex.raw(`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = ? AND tablename = 'app_session' ORDER BY indexname`, [schema]);
    expect(indexes.rows.map((row: { indexname: string }) => row.indexname)).toEqual([
      'app_session_expiry_time_ix', 'app_session_pk', 'app_session_principal_name_ix', 'app_session_session_id_ux', 'app_session_tenant_id_ix',
    ]);
    expect(indexes.rows.find((row: { indexname: string }) => row.indexname === 'app_session_session_id_ux').indexdef).toMatch(/UNIQUE/);
    await applySqlSchema(knex, statements('postgres')); // idempotent
    await exercise(knex);
  });

  for (const dialect of ['mariadb', 'mysql'] as const) {
    it(`MariaDB 10.11: sql/${dialect}.sql creates the table, its typed columns and indexes`, async () => {
      const database = uniqueTable(`ddl_${dialect}`);
      const admin = knexFactory({ client: 'mysql2', connection: MARIADB_URL, pool: { min: 0, max: 1 } });
      await admin.raw(`CREATE DATABASE \`${database}\``);
      cleanups.push(async () => {
        await admin.raw(`DROP DATABASE \`${database}\``);
        await admin.destroy();
      });
      const knex = knexFactory({ client: 'mysql2', connection: MARIADB_URL.replace(/\/test$/, `/${database}`), pool: { min: 0, max: 2 } });
      cleanups.push(() => knex.destroy());
      for (const statement of statements(dialect)) await knex.raw(statement);
      const [columns] = await knex.raw(
        `SELECT column_name AS name, column_type AS type FROM information_schema.columns WHERE table_schema = ? AND table_name = 'app_session' ORDER BY ordinal_position`,
        [database],
      );
      expect(columns.map((row: { name: string }) => row.name)).toEqual([
        'primary_id', 'session_id', 'creation_time', 'last_access_time', 'max_inactive_interval', 'expiry_time', 'principal_name', 'tenant_id', 'attributes',
      ]);
      expect(columns.find((row: { name: string }) => row.name === 'tenant_id').type).toBe('varchar(63)');
      const [indexes] = await knex.raw(
        `SELECT DISTINCT index_name AS name, non_unique AS nonUnique FROM information_schema.statistics WHERE table_schema = ? AND table_name = 'app_session' ORDER BY index_name`,
        [database],
      );
      expect(indexes.map((row: { name: string }) => row.name)).toEqual([
        'app_session_expiry_time_ix', 'app_session_principal_name_ix', 'app_session_session_id_ux', 'app_session_tenant_id_ix', 'PRIMARY',
      ]);
      expect(indexes.find((row: { name: string }) => row.name === 'app_session_session_id_ux').nonUnique).toBe(0);
      for (const statement of statements(dialect)) await knex.raw(statement); // idempotent
      await exercise(knex);
    });
  }

  it('SQLite: sql/sqlite.sql creates the table and indexes', async () => {
    const knex = knexFactory({ client: 'better-sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true, pool: { min: 1, max: 1 } });
    cleanups.push(() => knex.destroy());
    await applySqlSchema(knex, statements('sqlite'));
    await applySqlSchema(knex, statements('sqlite'));
    const columns = await knex.raw(`SELECT name FROM pragma_table_info('app_session')`);
    expect(columns.map((row: { name: string }) => row.name)).toContain('tenant_id');
    const indexes = await knex.raw(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'app_session' AND name NOT LIKE 'sqlite_%' ORDER BY name`);
    expect(indexes.map((row: { name: string }) => row.name)).toEqual([
      'app_session_expiry_time_ix', 'app_session_principal_name_ix', 'app_session_session_id_ux', 'app_session_tenant_id_ix',
    ]);
    await expect(knex.raw(`INSERT INTO app_session (primary_id, session_id, creation_time, last_access_time, max_inactive_interval, attributes) VALUES ('p', 's', 1, 1, 1, 'not json')`)).rejects.toThrow(/CHECK/);
    await exercise(knex);
  });
});
