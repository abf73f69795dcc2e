/**
 * The SQLite store on the better-sqlite3 connection that knex's pool holds: its statements never
 * run inside a transaction someone else opened on that connection (they wait for it to end), its
 * own transactions (an id change) keep everyone else out, and it puts the connection in WAL at the
 * chosen `synchronous` (NORMAL by default, FULL on request, `SQLITE_SYNCHRONOUS` for the env opener).
 */
import { afterEach, describe, expect, it } from 'vitest';
import knexFactory, { type Knex } from 'knex';
import { migrateSqlSchema, openSqlStoreFromEnv, sqliteSynchronousFromEnv, SqlSessionStore, type SqliteSynchronous } from '@sessiongen/runtime/sql';
import { AppSessionRepository, appSessionDescriptor } from '../../generated/index.js';
import { appSessionSqlMigrations } from '../../generated/sql/migrations/index.js';
import { dropTables, openKnex, sqliteFile, uniqueTable } from './live.js';

const opened: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of opened.splice(0).reverse()) await close();
});

async function open(options: { knex?: Knex; sqliteSynchronous?: SqliteSynchronous } = {}) {
  const knex = options.knex ?? openKnex('sqlite', { sqlitePath: sqliteFile() });
  const table = uniqueTable('conn');
  await migrateSqlSchema(knex, appSessionSqlMigrations, { table });
  const store = new SqlSessionStore(appSessionDescriptor, knex, { table, cleanupIntervalMs: false, sqliteSynchronous: options.sqliteSynchronous });
  opened.push(async () => {
    await store.close();
    await dropTables(knex, table);
    await knex.destroy();
  });
  return { knex, table, store, repo: new AppSessionRepository(store) };
}

const pragma = async (knex: Knex, name: string) => Object.values(((await knex.raw(`PRAGMA ${name}`)) as Array<Record<string, unknown>>)[0]!)[0];

describe('sqlite: the store on knex’s connection', () => {
  it('a save made while a knex transaction holds the connection waits for it, and survives its rollback', async () => {
    const { knex, repo } = await open();
    expect(await repo.findById(repo.createSession().id)).toBeNull(); // the store now runs on the connection directly
    const session = repo.createSession();
    session.set('principalName', 'ada');
    let saved: Promise<unknown> | undefined;
    let settledInside = false;
    await knex
      .transaction(async (trx) => {
        await trx.raw(`CREATE TABLE scratch (n INTEGER)`);
        saved = repo.save(session).finally(() => void (settledInside = true));
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(settledInside).toBe(false);
        throw new Error('roll back');
      })
      .catch((err: Error) => expect(err.message).toBe('roll back'));
    expect(await saved).toBe('saved');
    expect((await repo.findById(session.id))?.get('principalName')).toBe('ada');
    expect(await knex.schema.hasTable('scratch')).toBe(false);
  });

  it('an id change (the store’s own transaction) and concurrent saves and knex reads all land', async () => {
    const { knex, table, repo } = await open();
    const sessions = await Promise.all(
      Array.from({ length: 20 }, async (_, k) => {
        const s = repo.createSession();
        s.set('principalName', `user-${k}`);
        await repo.save(s);
        return s.id;
      }),
    );
    const moved = await Promise.all(
      sessions.map(async (id, k) => {
        const s = (await repo.findById(id))!;
        s.set('roles', [`r${k}`]);
        if (k % 2 === 0) s.changeSessionId();
        const [outcome, count] = await Promise.all([repo.save(s), knex(table).count({ n: '*' })]);
        expect(outcome).toBe('saved');
        expect(Number(count[0]!.n)).toBe(20);
        return s.id;
      }),
    );
    for (const [k, id] of moved.entries()) expect((await repo.findById(id))?.get('roles')).toEqual([`r${k}`]);
    for (const [k, id] of sessions.entries()) if (k % 2 === 0) expect(await repo.findById(id)).toBeNull();
  });

  it('puts its connection in WAL with synchronous NORMAL by default', async () => {
    const knex = knexFactory({ client: 'better-sqlite3', connection: { filename: sqliteFile() }, useNullAsDefault: true, pool: { min: 1, max: 1 } });
    expect(await pragma(knex, 'synchronous')).toBe(2); // better-sqlite3's own default: FULL
    const { repo } = await open({ knex });
    await repo.findById(repo.createSession().id);
    expect(await pragma(knex, 'journal_mode')).toBe('wal');
    expect(await pragma(knex, 'synchronous')).toBe(1);
  });

  it('synchronous FULL when asked', async () => {
    const { knex, repo } = await open({ sqliteSynchronous: 'FULL' });
    await repo.findById(repo.createSession().id);
    expect(await pragma(knex, 'synchronous')).toBe(2);
  });

  it('SQLITE_SYNCHRONOUS picks it for the env opener: NORMAL unless FULL, anything else refused', async () => {
    expect(sqliteSynchronousFromEnv({})).toBe('NORMAL');
    expect(sqliteSynchronousFromEnv({ SQLITE_SYNCHRONOUS: 'full' })).toBe('FULL');
    expect(() => sqliteSynchronousFromEnv({ SQLITE_SYNCHRONOUS: 'OFF' })).toThrow(/NORMAL \(the default\) or FULL/);
    for (const [value, level] of [[undefined, 1], ['FULL', 2]] as const) {
      const env = { SESSION_STORE: 'sqlite', DATABASE_URL: sqliteFile(), ...(value ? { SQLITE_SYNCHRONOUS: value } : {}) };
      const { store, knex, close } = await openSqlStoreFromEnv(appSessionDescriptor, { env, migrations: appSessionSqlMigrations, cleanupIntervalMs: false });
      opened.push(close);
      await new AppSessionRepository(store).findById(new AppSessionRepository(store).createSession().id);
      expect(await pragma(knex, 'synchronous')).toBe(level);
    }
  });
});
