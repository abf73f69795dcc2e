import { migrateSqlSchema, SqlSessionStore } from '@sessiongen/runtime/sql';
import { appSessionSqlMigrations } from '../../generated/sql/migrations/index.js';
import { dropTables, openKnex, uniqueTable } from '../sql/live.js';
import { openAppSessionDescriptor } from './open-descriptor.js';
import type { StoreUnderTest } from './suite.js';

/**
 * A SQL database as a conformance subject (PostgreSQL and MariaDB live, SQLite in memory): a table
 * of this run's own, made by the migrations and dropped after.
 */
export async function liveSqlSubject(kind: 'postgres' | 'mariadb' | 'sqlite'): Promise<StoreUnderTest> {
  const knex = openKnex(kind, { pool: 8 });
  const table = uniqueTable('conf');
  await migrateSqlSchema(knex, appSessionSqlMigrations, { table });
  const store = new SqlSessionStore(openAppSessionDescriptor, knex, { table, cleanupIntervalMs: false });
  return {
    store,
    expiredEvents: true,
    descriptor: openAppSessionDescriptor,
    expireNow: async () => void (await store.cleanupExpired()),
    plantRaw: async (id, name, json) => {
      const set = {
        postgres: `"attributes" || jsonb_build_object(?::text, ?::jsonb)`,
        mariadb: 'JSON_SET(`attributes`, ?, JSON_EXTRACT(?, \'$\'))',
        sqlite: `json_set("attributes", ?, json(?))`,
      }[kind];
      const where = kind === 'mariadb' ? '`session_id`' : '"session_id"';
      await knex.raw(`UPDATE ${table} SET attributes = ${set} WHERE ${where} = ?`, [kind === 'postgres' ? name : `$."${name}"`, json, id]);
    },
    close: async () => {
      await store.close();
      await dropTables(knex, table);
      await knex.destroy();
    },
  };
}
