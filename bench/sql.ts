/**
 * SQL store benchmark: 32 concurrent request cycles (load a session, change one attribute, save
 * it) over 5,000 sessions, on PostgreSQL with a pool of 16, in one run:
 *   - sessiongen's SqlSessionStore (JSON column patched per attribute, named prepared statements)
 *   - the same store without prepared statements (knex.raw)
 *   - raw `pg` (Pool, named statements) sending the very same statements
 *   - the attribute-table layout (Spring Session JDBC's), raw `pg`, best case: one CTE per save
 *   - connect-pg-simple through express-session's Store API (get + set)
 * Then the store on MariaDB and SQLite. Prints a Markdown table with ratios.
 *
 *   npx tsx bench/sql.ts            (SESSIONGEN_BENCH_SECONDS=6 per contender by default)
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import session from 'express-session';
import { uuidSessionIdGenerator } from '@sessiongen/runtime';
import { migrateSqlSchema, sqlMovedIdsTableNames, SqlSessionStore } from '@sessiongen/runtime/sql';
import { AppSessionRepository, appSessionDescriptor } from '../generated/index.js';
import { appSessionSqlMigrations } from '../generated/sql/migrations/index.js';

const require = createRequire(import.meta.url);
const connectPgSimple = require('connect-pg-simple') as (s: typeof session) => new (options: Record<string, unknown>) => session.Store;

const PG_URL = process.env.SESSIONGEN_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const MARIADB_URL = process.env.SESSIONGEN_TEST_MARIADB_URL ?? 'mysql://root@127.0.0.1:3306/test';
const SESSIONS = 5_000;
const CONCURRENCY = 32;
const POOL = 16;
const SECONDS = Number(process.env.SESSIONGEN_BENCH_SECONDS ?? 6);
const WARMUP_MS = 1_000;
const ROUNDS = 3;
const suffix = randomUUID().slice(0, 8);

type Cycle = (i: number, n: number) => Promise<void>;

/** Runs `cycle` from 32 workers for `ms`; returns how many cycles completed. */
async function drive(cycle: Cycle, ms: number, counter: { n: number }): Promise<number> {
  const until = Date.now() + ms;
  let done = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < until) {
        await cycle(Math.floor(Math.random() * SESSIONS), counter.n++);
        done++;
      }
    }),
  );
  return done;
}

/**
 * Measures contenders in interleaved rounds (order rotated each round), so table growth,
 * autovacuum and other load on the machine fall on all of them alike; returns cycles/s each.
 */
async function measureRounds(contenders: Array<{ name: string; cycle: Cycle }>): Promise<Map<string, number>> {
  const totals = new Map<string, { cycles: number; ms: number }>(contenders.map((c) => [c.name, { cycles: 0, ms: 0 }]));
  const counter = { n: 0 };
  for (const contender of contenders) await drive(contender.cycle, WARMUP_MS, counter);
  for (let round = 0; round < ROUNDS; round++) {
    const order = contenders.map((_, k) => contenders[(k + round) % contenders.length]!);
    for (const contender of order) {
      const start = performance.now();
      const cycles = await drive(contender.cycle, (SECONDS * 1000) / ROUNDS, counter);
      const total = totals.get(contender.name)!;
      total.cycles += cycles;
      total.ms += performance.now() - start;
    }
  }
  return new Map([...totals].map(([name, t]) => [name, t.cycles / (t.ms / 1000)]));
}

const ids: string[] = Array.from({ length: SESSIONS }, () => randomUUID());
const value = (n: number) => `value ${n} ${'x'.repeat(40)}`;

/** Seeds 5,000 sessions through the store (each with a principal, roles and a cart). */
async function seedStore(store: SqlSessionStore): Promise<AppSessionRepository> {
  let next = 0;
  const repo = new AppSessionRepository(store, { ids: { generate: () => ids[next++]!, isValid: uuidSessionIdGenerator.isValid } });
  for (let start = 0; start < SESSIONS; start += 250) {
    await Promise.all(
      ids.slice(start, start + 250).map(async (_, k) => {
        const s = repo.createSession();
        s.set('principalName', `user-${(start + k) % 500}`).set('roles', ['a', 'b']).set('cart', [{ sku: 'ABC-1', quantity: 1, unitPriceCents: 100 }]);
        await repo.save(s);
      }),
    );
  }
  return repo;
}

/** The cycle a web request makes with sessiongen: findById, set one attribute, touch, save. */
function storeCycle(repo: AppSessionRepository): Cycle {
  return async (i, n) => {
    const s = await repo.findById(ids[i]!);
    if (!s) throw new Error(`session ${i} not found`);
    s.set(`draft:f${n % 8}`, value(n));
    s.lastAccessedTime = Date.now();
    if ((await repo.save(s)) !== 'saved') throw new Error('save failed');
  };
}

function sessiongenOn(knex: Knex, table: string, prepared = true, pgPool: 'own' | 'knex' = 'own'): { cycle: Cycle; store: SqlSessionStore } {
  const store = new SqlSessionStore(appSessionDescriptor, knex, { table, cleanupIntervalMs: false, preparedStatements: prepared, pgPool });
  return { cycle: storeCycle(new AppSessionRepository(store)), store };
}

/** 50 concurrent writes of 50 different attributes to one session: how many survive. */
async function concurrentKeep(write: (name: string, value: string) => Promise<void>, read: () => Promise<number>): Promise<number> {
  await Promise.all(Array.from({ length: 50 }, (_, k) => write(`draft:k${k}`, `v${k}`)));
  return read();
}

async function main(): Promise<void> {
  const rows: Array<{ name: string; rate: number; note: string }> = [];
  const keeps: string[] = [];
  // ---------------- PostgreSQL ----------------
  const knex = knexFactory({ client: 'pg', connection: PG_URL, pool: { min: POOL, max: POOL } });
  const table = `sg_bench_${suffix}`;
  const attrTable = `sg_bench_attr_${suffix}`;
  const cpsTable = `sg_bench_cps_${suffix}`;
  const raw = new pg.Pool({ connectionString: PG_URL, max: POOL });
  try {
    await migrateSqlSchema(knex, appSessionSqlMigrations, { table });
    const seeded = await seedStore(new SqlSessionStore(appSessionDescriptor, knex, { table, cleanupIntervalMs: false }));
    void seeded;

    const contenders: Array<{ name: string; cycle: Cycle }> = [];
    const prepared = sessiongenOn(knex, table, true);
    contenders.push({ name: 'sessiongen SqlSessionStore (JSON column, prepared, default)', cycle: prepared.cycle });
    const viaKnexPool = sessiongenOn(knex, table, true, 'knex');
    contenders.push({ name: 'sessiongen SqlSessionStore (prepared, on knex’s own pool)', cycle: viaKnexPool.cycle });
    const unprepared = sessiongenOn(knex, table, false);
    contenders.push({ name: 'sessiongen SqlSessionStore (knex.raw, not prepared)', cycle: unprepared.cycle });

    // raw pg, the same two statements the store sends per cycle
    const q = (s: string) => `"${s}"`;
    const select = `SELECT "session_id", "creation_time", "last_access_time", "max_inactive_interval", "attributes" FROM ${q(table)} WHERE "session_id" = $1`;
    const update = `UPDATE ${q(table)} SET "session_id" = $1, "last_access_time" = $2, "max_inactive_interval" = $3, "expiry_time" = $4, "attributes" = (("attributes" - $5::text[]) || $6::jsonb) WHERE "session_id" = $7 AND ("expiry_time" IS NULL OR "expiry_time" > $8)`;
    contenders.push({ name: 'raw pg, same statements (Pool, named)', cycle: async (i, n) => {
      const id = ids[i]!;
      const loaded = await raw.query({ name: 'bench_select', text: select, values: [id] });
      const row = loaded.rows[0] as { max_inactive_interval: number };
      const now = Date.now();
      await raw.query({ name: 'bench_update', text: update, values: [id, now, row.max_inactive_interval, now + 1_800_000, [], JSON.stringify({ [`draft:f${n % 8}`]: value(n) }), id, now] });
    } });

    // the attribute-table layout, measured best case: one CTE statement per save
    await raw.query(`CREATE TABLE ${q(attrTable)} (primary_id VARCHAR(36) PRIMARY KEY, session_id VARCHAR(64) NOT NULL UNIQUE, creation_time BIGINT NOT NULL, last_access_time BIGINT NOT NULL, max_inactive_interval INT NOT NULL, expiry_time BIGINT, principal_name VARCHAR(100))`);
    await raw.query(`CREATE TABLE ${q(attrTable + '_a')} (session_primary_id VARCHAR(36) NOT NULL REFERENCES ${q(attrTable)} (primary_id) ON DELETE CASCADE, attribute_name VARCHAR(200) NOT NULL, attribute_value JSONB NOT NULL, PRIMARY KEY (session_primary_id, attribute_name))`);
    for (let start = 0; start < SESSIONS; start += 500) {
      const chunk = ids.slice(start, start + 500);
      const now = Date.now();
      await raw.query(
        `INSERT INTO ${q(attrTable)} SELECT id, id, $2::bigint, $2::bigint, 1800, $2::bigint + 1800000, 'user' FROM unnest($1::text[]) AS id`,
        [chunk, now],
      );
      await raw.query(
        `INSERT INTO ${q(attrTable + '_a')} SELECT id, n, v::jsonb FROM unnest($1::text[]) AS id, (VALUES ('principalName', '"user"'), ('roles', '["a","b"]'), ('cart', '[{"sku":"ABC-1","quantity":1,"unitPriceCents":100}]')) AS a(n, v)`,
        [chunk],
      );
    }
    const attrSelect = `SELECT s.session_id, s.creation_time, s.last_access_time, s.max_inactive_interval, a.attribute_name, a.attribute_value FROM ${q(attrTable)} s LEFT JOIN ${q(attrTable + '_a')} a ON a.session_primary_id = s.primary_id WHERE s.session_id = $1`;
    const attrSave = `WITH s AS (UPDATE ${q(attrTable)} SET last_access_time = $2, expiry_time = $3 WHERE session_id = $1 AND (expiry_time IS NULL OR expiry_time > $2) RETURNING primary_id) INSERT INTO ${q(attrTable + '_a')} (session_primary_id, attribute_name, attribute_value) SELECT primary_id, $4, $5::jsonb FROM s ON CONFLICT (session_primary_id, attribute_name) DO UPDATE SET attribute_value = EXCLUDED.attribute_value`;
    contenders.push({ name: 'attribute-table layout (Spring JDBC style), raw pg, one CTE per save', cycle: async (i, n) => {
      const id = ids[i]!;
      const loaded = await raw.query({ name: 'bench_attr_select', text: attrSelect, values: [id] });
      const attributes: Record<string, unknown> = {};
      for (const row of loaded.rows as Array<{ attribute_name: string | null; attribute_value: unknown }>) if (row.attribute_name) attributes[row.attribute_name] = row.attribute_value;
      const now = Date.now();
      await raw.query({ name: 'bench_attr_save', text: attrSave, values: [id, now, now + 1_800_000, `draft:f${n % 8}`, JSON.stringify(value(n))] });
    } });

    // no concurrent write lost, either layout
    const probe = ids[0]!;
    const jsonKeep = await concurrentKeep(
      async (name, v) => {
        const s = (await new AppSessionRepository(prepared.store).findById(probe))!;
        s.set(name as `draft:${string}`, v);
        await new AppSessionRepository(prepared.store).save(s);
      },
      async () => Object.keys((await prepared.store.load(probe))!.attributes).filter((k) => k.startsWith('draft:k')).length,
    );
    const attrKeep = await concurrentKeep(
      async (name, v) => {
        const now = Date.now();
        await raw.query({ name: 'bench_attr_save', text: attrSave, values: [probe, now, now + 1_800_000, name, JSON.stringify(v)] });
      },
      async () => Number((await raw.query(`SELECT count(*) AS n FROM ${q(attrTable + '_a')} WHERE session_primary_id = $1 AND attribute_name LIKE 'draft:k%'`, [probe])).rows[0].n),
    );
    keeps.push(`JSON column: ${jsonKeep}/50 kept`, `attribute table: ${attrKeep}/50 kept`);

    // connect-pg-simple via express-session's Store API
    await raw.query(`CREATE TABLE ${q(cpsTable)} ("sid" varchar NOT NULL COLLATE "default", "sess" json NOT NULL, "expire" timestamp(6) NOT NULL, PRIMARY KEY ("sid"))`);
    await raw.query(`CREATE INDEX ${q(cpsTable + '_expire')} ON ${q(cpsTable)} ("expire")`);
    const PGStore = connectPgSimple(session);
    const cps = new PGStore({ pool: raw, tableName: cpsTable, pruneSessionInterval: false, createTableIfMissing: false });
    const get = (sid: string) => new Promise<session.SessionData | null | undefined>((resolve, reject) => cps.get(sid, (err, data) => (err ? reject(err) : resolve(data))));
    const set = (sid: string, data: session.SessionData) => new Promise<void>((resolve, reject) => cps.set(sid, data, (err) => (err ? reject(err) : resolve())));
    const cookie = { originalMaxAge: 1_800_000, expires: new Date(Date.now() + 1_800_000), httpOnly: true, path: '/' } as unknown as session.Cookie;
    for (let start = 0; start < SESSIONS; start += 250) {
      await Promise.all(
        ids.slice(start, start + 250).map((id, k) =>
          set(id, { cookie, principalName: `user-${(start + k) % 500}`, roles: ['a', 'b'], cart: [{ sku: 'ABC-1', quantity: 1, unitPriceCents: 100 }] } as unknown as session.SessionData),
        ),
      );
    }
    contenders.push({ name: 'connect-pg-simple 10 (express-session Store get + set)', cycle: async (i, n) => {
      const sid = ids[i]!;
      const data = (await get(sid)) as unknown as Record<string, unknown> & { cookie: session.Cookie };
      if (!data) throw new Error('connect-pg-simple: session missing');
      data[`draft:f${n % 8}`] = value(n);
      data.cookie = { ...data.cookie, expires: new Date(Date.now() + 1_800_000) } as session.Cookie;
      await set(sid, data as unknown as session.SessionData);
    } });
    await raw.query(`VACUUM ANALYZE ${q(table)}`);
    await raw.query(`VACUUM ANALYZE ${q(attrTable)}`);
    await raw.query(`VACUUM ANALYZE ${q(attrTable + '_a')}`);
    await raw.query(`VACUUM ANALYZE ${q(cpsTable)}`);
    for (const [name, rate] of await measureRounds(contenders)) rows.push({ name, rate, note: 'PostgreSQL 15' });
    for (const store of [prepared.store, viaKnexPool.store, unprepared.store]) await store.close();
  } finally {
    await raw.query(`DROP TABLE IF EXISTS "${cpsTable}", "${attrTable}_a", "${attrTable}"`).catch(() => undefined);
    await raw.end();
    for (const name of [table, sqlMovedIdsTableNames(table).table, `${table}_migrations`, `${table}_migrations_lock`]) await knex.schema.dropTableIfExists(name);
    await knex.destroy();
  }

  // ---------------- MariaDB and SQLite ----------------
  const others: Array<{ name: string; knex: Knex; table: string }> = [
    { name: 'MariaDB 10.11', knex: knexFactory({ client: 'mysql2', connection: MARIADB_URL, pool: { min: POOL, max: POOL } }), table: `sg_bench_${suffix}` },
    {
      name: 'SQLite (better-sqlite3, file, WAL)',
      knex: knexFactory({
        client: 'better-sqlite3',
        connection: { filename: `/tmp/sessiongen-bench-${suffix}.db` },
        useNullAsDefault: true,
        pool: { min: 1, max: 1, afterCreate: (db: { pragma(s: string): unknown }, done: (e: Error | null, db: unknown) => void) => (db.pragma('journal_mode = WAL'), db.pragma('synchronous = NORMAL'), done(null, db)) },
      }),
      table: `sg_bench_${suffix}`,
    },
  ];
  for (const other of others) {
    try {
      await migrateSqlSchema(other.knex, appSessionSqlMigrations, { table: other.table });
      await seedStore(new SqlSessionStore(appSessionDescriptor, other.knex, { table: other.table, cleanupIntervalMs: false }));
      const { cycle, store } = sessiongenOn(other.knex, other.table);
      const rate = (await measureRounds([{ name: other.name, cycle }])).get(other.name)!;
      rows.push({ name: `sessiongen SqlSessionStore`, rate, note: other.name });
      await store.close();
    } finally {
      for (const name of [other.table, sqlMovedIdsTableNames(other.table).table, `${other.table}_migrations`, `${other.table}_migrations_lock`]) await other.knex.schema.dropTableIfExists(name);
      await other.knex.destroy();
    }
  }

  const cps = rows.find((row) => row.name.startsWith('connect-pg-simple'))!.rate;
  const rawPg = rows.find((row) => row.name.startsWith('raw pg'))!.rate;
  console.log(`\n### SQL stores: ${CONCURRENCY} concurrent cycles (load, set one attribute, save) over ${SESSIONS} sessions, pool ${POOL}, ${SECONDS} s each (${process.platform}, ${(await import('node:os')).cpus().length} cores)\n`);
  console.log('| contender | database | cycles/s | × connect-pg-simple | × raw pg |');
  console.log('|---|---|---:|---:|---:|');
  for (const row of rows) {
    const pgOnly = row.note.startsWith('PostgreSQL');
    console.log(`| ${row.name} | ${row.note} | ${row.rate.toFixed(0)} | ${pgOnly ? (row.rate / cps).toFixed(2) : '–'} | ${pgOnly ? (row.rate / rawPg).toFixed(2) : '–'} |`);
  }
  console.log(`\nNo lost write, 50 concurrent writes of different attributes to one session: ${keeps.join('; ')}.`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
