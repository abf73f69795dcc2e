import knexFactory from 'knex';
import { migrateSqlSchema, SqlSessionStore } from 'sessiongen/runtime';
import { appSessionDescriptor } from '../../generated/index.js';
import { appSessionSqlMigrations } from '../../generated/sql/migrations/index.js';
import { describeConformance } from './suite.js';

describeConformance('sqlite', async () => {
  const knex = knexFactory({ client: 'better-sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true, pool: { min: 1, max: 1 } });
  await migrateSqlSchema(knex, appSessionSqlMigrations);
  const store = new SqlSessionStore(appSessionDescriptor, knex, { cleanupIntervalMs: false });
  return {
    store,
    expiredEvents: true,
    expireNow: async () => void (await store.cleanupExpired()),
    close: async () => {
      await store.close();
      await knex.destroy();
    },
  };
});
