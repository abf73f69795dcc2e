/**
 * PostgreSQL faults on a server of the test's own (initdb in a temp dir, its own port): its
 * connections terminated, the server paused, the server crashed and restarted, each under a load
 * of concurrent writes through the real repository. No acknowledged write may be missing
 * afterwards, and the same store (no reopen, no app restart) takes writes again.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqlStoreFromEnv, type SqlStoreFromEnv } from '@sessiongen/runtime/sql';
import { AppSessionRepository, appSessionDescriptor } from '../../generated/index.js';
import { appSessionSqlMigrations } from '../../generated/sql/migrations/index.js';
import { OwnPostgres } from '../services/own-postgres.js';
import { underFault, type WriteLoad } from './write-load.js';

const WORKERS = 16;
/** Acknowledged writes wanted before the fault, and again after it. */
const WRITES = 300;

describe('PostgreSQL store under faults (a server of the test\'s own)', () => {
  let postgres: OwnPostgres;
  let opened: SqlStoreFromEnv;
  let repository: AppSessionRepository;

  /** One statement on a connection of its own (the store's pool is what is under test). */
  async function admin(sql: string): Promise<pg.QueryResult> {
    const client = new pg.Client({ connectionString: postgres.url });
    await client.connect();
    try {
      return await client.query(sql);
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    postgres = await OwnPostgres.start();
    opened = await openSqlStoreFromEnv(appSessionDescriptor, {
      env: { SESSION_STORE: 'postgres', DATABASE_URL: postgres.url },
      migrations: appSessionSqlMigrations,
      cleanupIntervalMs: false,
    });
    repository = new AppSessionRepository(opened.store);
  }, 60_000);

  afterAll(async () => {
    postgres?.resume();
    await opened?.close();
    await postgres?.stop();
  });

  const underLoad = (label: string, fault: (load: WriteLoad) => Promise<void>) =>
    underFault({ store: 'postgres', repository, workers: WORKERS, writes: WRITES, recoveryMs: 20_000 }, label, fault);

  it('connections terminated (pg_terminate_backend): no acknowledged write lost, writes go on', async () => {
    const { failed } = await underLoad('connections-killed', async () => {
      const { rows } = await admin(
        "SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()",
      );
      expect(rows.filter((row) => row.killed === true).length).toBeGreaterThan(0);
    });
    expect(failed, 'writes on the terminated connections fail').toBeGreaterThan(0);
  }, 60_000);

  it('paused for 1.5 s (SIGSTOP/SIGCONT of every server process): no acknowledged write lost, writes go on', async () => {
    await underLoad('paused', async (load) => {
      postgres.pause();
      // Replies already on their way when the signal landed may still arrive.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const before = load.acknowledged.length;
      await new Promise((resolve) => setTimeout(resolve, 1_300));
      const during = load.acknowledged.length - before;
      postgres.resume();
      expect(during, 'writes acknowledged while the server was stopped').toBe(0);
    });
  }, 60_000);

  it('crashed (SIGKILL to every server process) and restarted: no acknowledged write lost, the same store writes again', async () => {
    const { failed } = await underLoad('restarted', () => postgres.restart('SIGKILL', 300));
    expect(failed).toBeGreaterThan(0);
  }, 60_000);
});
