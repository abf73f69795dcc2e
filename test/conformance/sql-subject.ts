import { migrateSqlSchema, SqlSessionStore } from '@sessiongen/runtime/sql';
import { appSessionSqlMigrations } from '../../generated/sql/migrations/index.js';
import { dropTables, openKnex, sqliteFile, uniqueTable } from '../sql/live.js';
import { openAppSessionDescriptor } from './open-descriptor.js';
import type { StoreUnderTest } from './suite.js';

/**
 * A SQL database as a conformance subject (PostgreSQL and MariaDB live, SQLite in a file of this
 * run's own): a table of this run's own, made by the migrations and dropped after. A peer is a
 * second store on the same table through a knex (and connections) of its own.
 */
export async function liveSqlSubject(kind: 'postgres' | 'mariadb' | 'sqlite'): Promise<StoreUnderTest> {
  const sqlitePath = kind === 'sqlite' ? sqliteFile() : undefined;
  const knex = openKnex(kind, { pool: 8, sqlitePath });
  const table = uniqueTable('conf');
  await migrateSqlSchema(knex, appSessionSqlMigrations, { table });
  const store = new SqlSessionStore(openAppSessionDescriptor, knex, { table, cleanupIntervalMs: false });
  return {
    store,
    expiredEvents: true,
    descriptor: openAppSessionDescriptor,
    expireNow: async () => void (await store.cleanupExpired()),
    openPeer: async () => {
      const peerKnex = openKnex(kind, { pool: 4, sqlitePath });
      const peer = new SqlSessionStore(openAppSessionDescriptor, peerKnex, { table, cleanupIntervalMs: false });
      return {
        store: peer,
        close: async () => {
          await peer.close();
          await peerKnex.destroy();
        },
      };
    },
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
