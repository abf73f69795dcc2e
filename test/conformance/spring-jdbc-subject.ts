import { SPRING_PRINCIPAL_NAME_INDEX_NAME } from '@sessiongen/runtime/spring';
import { openSpringJdbc } from '../spring/subjects.js';
import type { LiveDialect } from '../sql/live.js';
import { openAppSessionDescriptor } from './open-descriptor.js';
import type { StoreUnderTest } from './suite.js';

/** Spring Session's JDBC tables as a conformance subject: tables of this run's own, made by the generated Spring migration. */
export async function springJdbcSubject(kind: LiveDialect): Promise<StoreUnderTest> {
  const opened = await openSpringJdbc(kind, {}, openAppSessionDescriptor);
  const { knex, table, store } = opened;
  const upsert = {
    postgres: `ON CONFLICT (SESSION_PRIMARY_ID, ATTRIBUTE_NAME) DO UPDATE SET ATTRIBUTE_BYTES = EXCLUDED.ATTRIBUTE_BYTES`,
    sqlite: `ON CONFLICT (SESSION_PRIMARY_ID, ATTRIBUTE_NAME) DO UPDATE SET ATTRIBUTE_BYTES = excluded.ATTRIBUTE_BYTES`,
    mariadb: `ON DUPLICATE KEY UPDATE ATTRIBUTE_BYTES = VALUES(ATTRIBUTE_BYTES)`,
  }[kind];
  return {
    store,
    capabilities: { ...store.capabilities, refusesJavaTypeIds: true },
    expiredEvents: true,
    descriptor: openAppSessionDescriptor,
    expireNow: async () => void (await store.cleanupExpired()),
    plantRaw: async (id, name, json) => {
      const stored = name === 'principalName' ? SPRING_PRINCIPAL_NAME_INDEX_NAME : name;
      await knex.raw(
        `INSERT INTO ${table}_ATTRIBUTES (SESSION_PRIMARY_ID, ATTRIBUTE_NAME, ATTRIBUTE_BYTES) SELECT PRIMARY_ID, ?, ? FROM ${table} WHERE SESSION_ID = ? ${upsert}`,
        [stored, Buffer.from(json, 'utf8'), id],
      );
    },
    close: opened.close,
  };
}
