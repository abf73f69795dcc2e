/**
 * v1 → 10,000 sessions → v2 adds an index → migrate → the new finder returns exactly the right
 * sessions, nothing lost; on PostgreSQL, MariaDB and SQLite. Uses temporary copies of the example
 * schema and generates into a temp folder through the CLI (`generate`, then `migrate`).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionRepository, type SessionDescriptor } from '@sessiongen/runtime';
import { SqlSessionStore } from '@sessiongen/runtime/sql';
import { appSessionDescriptor } from '../../generated/index.js';
import { main } from '../../generator/cli/main.js';
import { dropTables, LIVE_DIALECTS, openKnex, sqliteFile, uniqueTable, urlFor } from './live.js';
import { tempDir, writeSchemaVariant } from './fixtures.js';

const SESSIONS = 10_000;
const tenantOf = (i: number) => (i % 3 === 0 ? undefined : `t-${i % 40}`);

const v1Descriptor: SessionDescriptor = { ...appSessionDescriptor, indexes: appSessionDescriptor.indexes.filter((index) => index.name !== 'tenantId') };
const tenantIndex = appSessionDescriptor.indexes.find((index) => index.name === 'tenantId')!;

const dir = tempDir('migrate');
const out = join(dir, 'generated');
/** `sessiongen migrate` in its own process, as users run it: exit code, stdout, stderr. */
async function migrate(url: string, table: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['bin/sessiongen.js', 'migrate', '--out', out, '--url', url, '--table', table], { timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code?: number; stdout?: string; stderr?: string };
    return { code: Number(failed.code ?? 1), stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

interface Live {
  dialect: (typeof LIVE_DIALECTS)[number];
  table: string;
  url: string;
  knex: ReturnType<typeof openKnex>;
  /** tenant → the ids of its sessions */
  expected: Map<string, string[]>;
}

async function loadV1(live: Live): Promise<void> {
  const first = await migrate(live.url, live.table);
  expect(first.code, first.stderr).toBe(0);
  expect(first.stdout).toMatch(/applied 0001_initial$/m);
  const store = new SqlSessionStore(v1Descriptor, live.knex, { table: live.table, cleanupIntervalMs: false });
  const repo = new SessionRepository(v1Descriptor, store);
  for (let start = 0; start < SESSIONS; start += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, SESSIONS - start) }, async (_, k) => {
        const i = start + k;
        const session = repo.createSession();
        session.set('principalName', `user-${i % 250}`);
        const tenant = tenantOf(i);
        if (tenant) session.set('tenantId', tenant);
        session.set('roles', [`r${i}`]);
        expect(await repo.save(session)).toBe('saved');
        if (tenant) live.expected.set(tenant, [...(live.expected.get(tenant) ?? []), session.id]);
      }),
    );
  }
  await store.close();
}

describe('v1 → 10,000 sessions → v2 adds an index → migrate (PostgreSQL, MariaDB, SQLite)', () => {
  const lives: Live[] = LIVE_DIALECTS.map((dialect) => {
    const sqlitePath = dialect === 'sqlite' ? sqliteFile() : undefined;
    return { dialect, table: uniqueTable('mig'), url: urlFor(dialect, sqlitePath), knex: openKnex(dialect, { pool: 8, sqlitePath }), expected: new Map() };
  });

  beforeAll(async () => {
    const v1 = writeSchemaVariant(dir, 'v1', (schema) => void (schema['x-sessiongen'].indexes = ['principalName']));
    expect(await main(['generate', '--schema', v1, '--out', out])).toBe(0);
    expect(existsSync(join(out, 'sql/migrations/0001_initial/migration.ts'))).toBe(true);
    expect(readFileSync(join(out, 'sql/migrations/0001_initial/postgres.up.sql'), 'utf8')).not.toMatch(/tenant_id/);
    for (const live of lives) await loadV1(live);
  }, 300_000);

  afterAll(async () => {
    for (const live of lives) {
      await dropTables(live.knex, live.table);
      await live.knex.destroy();
    }
  });

  it('generate v2 (tenantId indexed) emits 0002_add_tenant_id_index: add column, backfill, create index', async () => {
    expect(existsSync(join(out, 'sql/migrations/0002_add_tenant_id_index'))).toBe(false);
    const v2 = writeSchemaVariant(dir, 'v2', () => undefined);
    expect(await main(['generate', '--schema', v2, '--out', out])).toBe(0);
    for (const dialect of LIVE_DIALECTS) {
      const up = readFileSync(join(out, `sql/migrations/0002_add_tenant_id_index/${dialect}.up.sql`), 'utf8');
      expect(up).toMatch(/ADD COLUMN[^;]*tenant_id[^;]*;\nUPDATE[^;]*;\nCREATE INDEX/);
    }
  });

  for (const [n, dialect] of LIVE_DIALECTS.entries()) {
    it(`${dialect}: migrate backfills with progress; the new finder returns exactly the right sessions, nothing lost`, async () => {
      const live = lives[n]!;
      const { knex, table, url, expected } = live;
      const second = await migrate(url, table);
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).toMatch(/applied 0002_add_tenant_id_index$/m);
      expect(second.stderr).toMatch(/0002_add_tenant_id_index backfill \S*tenant_id\S* \[#+\] 100% 10000\/10000/);

      const store = new SqlSessionStore(appSessionDescriptor, knex, { table, cleanupIntervalMs: false });
      const count = await knex(table).count({ n: '*' });
      expect(Number(count[0]!.n)).toBe(SESSIONS);
      let total = 0;
      for (const [tenant, ids] of expected) {
        const found = await store.findByIndex(tenantIndex, tenant);
        expect(found.map((record) => record.id).sort(), tenant).toEqual([...ids].sort());
        for (const record of found) expect(record.attributes.tenantId).toBe(tenant);
        total += found.length;
      }
      expect(total).toBe([...Array(SESSIONS).keys()].filter((i) => tenantOf(i)).length);
      expect(await store.findByIndex(tenantIndex, 't-none')).toEqual([]);
      // every session is whole, and a new save keeps the new column current
      const principal = await store.findByIndex(appSessionDescriptor.indexes[0]!, 'user-3');
      expect(principal).toHaveLength(SESSIONS / 250);
      const repo = new SessionRepository(appSessionDescriptor, store);
      const session = (await repo.findById(principal[0]!.id))!;
      expect(session.get('roles')).toHaveLength(1);
      session.set('tenantId', 'moved');
      await repo.save(session);
      expect((await store.findByIndex(tenantIndex, 'moved')).map((record) => record.id)).toEqual([session.id]);
      const third = await migrate(url, table);
      expect(third.stdout).toMatch(/up to date/);
      await store.close();
    }, 180_000);
  }
});
