/**
 * SQL store benchmark: 32 concurrent request cycles (load a session, change one attribute, save
 * it) over 5,000 sessions, on PostgreSQL with a pool of 16, in one run:
 *   - sessiongen's SqlSessionStore (JSON column patched per attribute, named prepared statements)
 *   - the same store without prepared statements (knex.raw)
 *   - raw `pg` (Pool, named statements) sending the very same statements
 *   - the attribute-table layout (Spring Session JDBC's), raw `pg`, best case: one CTE per save
 *   - connect-pg-simple through express-session's Store API (get + set)
 * Then the store on MariaDB, and SQLite (a file in WAL mode, synchronous=NORMAL on every
 * connection) beside raw better-sqlite3 sending the very same statements on a connection of its
 * own with the same pragmas (the floor), and the store through knex.raw. Prints Markdown tables
 * with cycles/s, p50/p99 latency, Node CPU time per cycle and ratios (and bytes per session on SQLite).
 *
 *   npx tsx bench/sql.ts            (SESSIONGEN_BENCH_SECONDS=6 per contender by default;
 *                                    SESSIONGEN_BENCH_SQL=sqlite,postgres,mariadb picks the databases)
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import Database from 'better-sqlite3';
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
const DATABASES = (process.env.SESSIONGEN_BENCH_SQL ?? 'postgres,mariadb,sqlite').split(',').map((name) => name.trim());

type Cycle = (i: number, n: number) => Promise<void>;

/** Runs `cycle` from 32 workers for `ms`; returns how many cycles completed (and records each one's latency in `latencies`). */
async function drive(cycle: Cycle, ms: number, counter: { n: number }, latencies?: number[]): Promise<number> {
  const until = Date.now() + ms;
  let done = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < until) {
        const start = performance.now();
        await cycle(Math.floor(Math.random() * SESSIONS), counter.n++);
        latencies?.push(performance.now() - start);
        done++;
      }
    }),
  );
  return done;
}

interface Measured {
  rate: number;
  p50: number;
  p99: number;
  /** Node's CPU time (user + system) per cycle, µs. */
  cpuUs: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

/**
 * Measures contenders in interleaved rounds (order rotated each round), so table growth,
 * autovacuum and other load on the machine fall on all of them alike; returns cycles/s, latency
 * percentiles and CPU per cycle of each.
 */
async function measureRounds(contenders: Array<{ name: string; cycle: Cycle }>): Promise<Map<string, Measured>> {
  const totals = new Map(contenders.map((c) => [c.name, { cycles: 0, ms: 0, cpuUs: 0, latencies: [] as number[] }]));
  const counter = { n: 0 };
  for (const contender of contenders) await drive(contender.cycle, WARMUP_MS, counter);
  for (let round = 0; round < ROUNDS; round++) {
    const order = contenders.map((_, k) => contenders[(k + round) % contenders.length]!);
    for (const contender of order) {
      const total = totals.get(contender.name)!;
      const start = performance.now();
      const cpu = process.cpuUsage();
      const cycles = await drive(contender.cycle, (SECONDS * 1000) / ROUNDS, counter, total.latencies);
      const used = process.cpuUsage(cpu);
      total.cycles += cycles;
      total.ms += performance.now() - start;
      total.cpuUs += used.user + used.system;
    }
  }
  return new Map(
    [...totals].map(([name, t]) => {
      const sorted = t.latencies.sort((a, b) => a - b);
      return [name, { rate: t.cycles / (t.ms / 1000), p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), cpuUs: t.cpuUs / t.cycles }];
    }),
  );
}

const ids: string[] = Array.from({ length: SESSIONS }, () => randomUUID());
const value = (n: number) => `value ${n} ${'x'.repeat(40)}`;

/** Seeds 5,000 sessions through the store (each with a principal, roles and a cart), then closes it. */
async function seedStore(store: SqlSessionStore): Promise<void> {
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
  await store.close();
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

function sessiongenOn(knex: Knex, table: string, prepared = true, pgPool: 'own' | 'knex' = 'own', sqliteSynchronous?: 'NORMAL' | 'FULL'): { cycle: Cycle; store: SqlSessionStore } {
  const store = new SqlSessionStore(appSessionDescriptor, knex, { table, cleanupIntervalMs: false, preparedStatements: prepared, pgPool, sqliteSynchronous });
  return { cycle: storeCycle(new AppSessionRepository(store)), store };
}

/** 50 concurrent writes of 50 different attributes to one session: how many survive. */
async function concurrentKeep(write: (name: string, value: string) => Promise<void>, read: () => Promise<number>): Promise<number> {
  await Promise.all(Array.from({ length: 50 }, (_, k) => write(`draft:k${k}`, `v${k}`)));
  return read();
}

/** PostgreSQL: the store (three ways), raw pg, the attribute-table layout and connect-pg-simple. */
async function postgres(rows: Row[], keeps: string[]): Promise<void> {
  const knex = knexFactory({ client: 'pg', connection: PG_URL, pool: { min: POOL, max: POOL } });
  const table = `sg_bench_${suffix}`;
  const attrTable = `sg_bench_attr_${suffix}`;
  const cpsTable = `sg_bench_cps_${suffix}`;
  const raw = new pg.Pool({ connectionString: PG_URL, max: POOL });
  try {
    await migrateSqlSchema(knex, appSessionSqlMigrations, { table });
    await seedStore(new SqlSessionStore(appSessionDescriptor, knex, { table, cleanupIntervalMs: false }));

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
    // a session of its own (the cycles' sessions stay under the schema's 50-attribute family limit)
    const probeSession = new AppSessionRepository(prepared.store).createSession();
    probeSession.set('principalName', 'probe');
    await new AppSessionRepository(prepared.store).save(probeSession);
    const probe = probeSession.id;
    await raw.query(`INSERT INTO ${q(attrTable)} VALUES ($1, $1, 0, 0, 1800, NULL, 'probe')`, [probe]);
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
    for (const [name, measured] of await measureRounds(contenders)) rows.push({ name, ...measured, note: 'PostgreSQL 15' });
    for (const store of [prepared.store, viaKnexPool.store, unprepared.store]) await store.close();
  } finally {
    await raw.query(`DROP TABLE IF EXISTS "${cpsTable}", "${attrTable}_a", "${attrTable}"`).catch(() => undefined);
    await raw.end();
    await dropAll(knex, table);
    await knex.destroy();
  }
}

interface Row extends Measured {
  name: string;
  note: string;
  /** SQLite: bytes per session in the table and its indexes (dbstat). */
  bytes?: number;
}

/** MariaDB: the store alone. */
async function mariadb(rows: Row[]): Promise<void> {
  const knex = knexFactory({ client: 'mysql2', connection: MARIADB_URL, pool: { min: POOL, max: POOL } });
  const table = `sg_bench_${suffix}`;
  try {
    await migrateSqlSchema(knex, appSessionSqlMigrations, { table });
    await seedStore(new SqlSessionStore(appSessionDescriptor, knex, { table, cleanupIntervalMs: false }));
    const { cycle, store } = sessiongenOn(knex, table);
    const measured = (await measureRounds([{ name: 'sessiongen SqlSessionStore', cycle }])).get('sessiongen SqlSessionStore')!;
    rows.push({ name: 'sessiongen SqlSessionStore', ...measured, note: 'MariaDB 10.11' });
    await store.close();
  } finally {
    await dropAll(knex, table);
    await knex.destroy();
  }
}

/** The pragmas of every SQLite connection here, the store's and the floor's: WAL, synchronous=NORMAL. */
function sqlitePragmas(db: { pragma(s: string): unknown }, synchronous = 'NORMAL'): void {
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
}

/**
 * SQLite, one file in WAL mode at `synchronous` (NORMAL, the store's default, or FULL): the
 * store (its default, statements prepared once on the better-sqlite3 connection; and through
 * knex.raw) beside raw better-sqlite3 sending the very same statements on its own connection with
 * the same pragmas, parsing the attributes JSON as the store does.
 */
async function sqlite(rows: Row[], synchronous: 'NORMAL' | 'FULL'): Promise<void> {
  const file = `/tmp/sessiongen-bench-${suffix}-${synchronous}.db`;
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: file },
    useNullAsDefault: true,
    pool: { min: 1, max: 1, afterCreate: (db: { pragma(s: string): unknown }, done: (e: Error | null, db: unknown) => void) => (sqlitePragmas(db, synchronous), done(null, db)) },
  });
  const table = `sg_bench_${suffix}`;
  const raw = new Database(file);
  sqlitePragmas(raw, synchronous);
  const note = `SQLite ${raw.prepare('SELECT sqlite_version() AS v').pluck().get() as string} (file, WAL, synchronous=${synchronous})`;
  try {
    await migrateSqlSchema(knex, appSessionSqlMigrations, { table });
    await seedStore(new SqlSessionStore(appSessionDescriptor, knex, { table, cleanupIntervalMs: false, sqliteSynchronous: synchronous }));
    // bytes per seeded session (principal, roles, cart), in the table and its indexes, before the cycles add attributes
    const bytes = Number(
      raw
        .prepare(`SELECT sum(pgsize) FROM dbstat WHERE name = ? OR name IN (SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?)`)
        .pluck()
        .get(table, table),
    ) / Number(raw.prepare(`SELECT count(*) FROM "${table}"`).pluck().get());
    const store = sessiongenOn(knex, table, true, 'own', synchronous);
    const viaKnex = sessiongenOn(knex, table, false, 'own', synchronous);
    const pragma = await knex.raw('PRAGMA synchronous');
    const levels = ['OFF', 'NORMAL', 'FULL', 'EXTRA'];
    const storeLevel = levels[(pragma as Array<{ synchronous: number }>)[0]!.synchronous];
    const rawLevel = levels[raw.pragma('synchronous', { simple: true }) as number];
    if (storeLevel !== synchronous || rawLevel !== synchronous) throw new Error(`synchronous: store ${storeLevel}, raw ${rawLevel}, wanted ${synchronous}`);
    // The floor: the statements the store sends for this cycle, prepared once.
    const select = raw.prepare(`SELECT "session_id", "creation_time", "last_access_time", "max_inactive_interval", "attributes" FROM "${table}" WHERE "session_id" = ?`);
    const update = raw.prepare(
      `UPDATE "${table}" SET "session_id" = ?, "last_access_time" = ?, "max_inactive_interval" = ?, "expiry_time" = ?, "attributes" = json_set("attributes", ?, json(?)) ` +
        `WHERE "session_id" = ? AND ("expiry_time" IS NULL OR "expiry_time" > ?)`,
    );
    const floor: Cycle = async (i, n) => {
      const id = ids[i]!;
      const row = select.get(id) as { max_inactive_interval: number; attributes: string } | undefined;
      if (!row) throw new Error(`session ${i} not found`);
      JSON.parse(row.attributes);
      const now = Date.now();
      const changed = update.run(id, now, row.max_inactive_interval, now + row.max_inactive_interval * 1000, `$."draft:f${n % 8}"`, JSON.stringify(value(n)), id, now).changes;
      if (changed !== 1) throw new Error('update failed');
    };
    const measured = await measureRounds([
      { name: 'sessiongen SqlSessionStore (default: prepared on the better-sqlite3 connection)', cycle: store.cycle },
      { name: 'sessiongen SqlSessionStore through knex.raw', cycle: viaKnex.cycle },
      { name: 'raw better-sqlite3, the same statements (the floor)', cycle: floor },
    ]);
    for (const [name, m] of measured) rows.push({ name, ...m, note, bytes });
    await store.store.close();
    await viaKnex.store.close();
  } finally {
    raw.close();
    await dropAll(knex, table);
    await knex.destroy();
    for (const tail of ['', '-wal', '-shm']) rmSync(`${file}${tail}`, { force: true });
  }
}

async function dropAll(knex: Knex, table: string): Promise<void> {
  for (const name of [table, sqlMovedIdsTableNames(table).table, `${table}_migrations`, `${table}_migrations_lock`]) await knex.schema.dropTableIfExists(name);
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const sqliteRows: Row[] = [];
  const keeps: string[] = [];
  if (DATABASES.includes('postgres')) await postgres(rows, keeps);
  if (DATABASES.includes('mariadb')) await mariadb(rows);
  if (DATABASES.includes('sqlite')) {
    await sqlite(sqliteRows, 'NORMAL');
    await sqlite(sqliteRows, 'FULL');
  }
  const { cpus } = await import('node:os');
  const { loadavg } = await import('node:os');
  const machine = `${process.platform}, ${cpus().length} cores (${cpus()[0]?.model.trim()}), Node ${process.versions.node}, load average ${loadavg().map((n) => n.toFixed(2)).join(' ')} at the end`;
  const ms = (n: number) => n.toFixed(2);
  if (rows.length > 0) {
    const cps = rows.find((row) => row.name.startsWith('connect-pg-simple'))?.rate;
    const rawPg = rows.find((row) => row.name.startsWith('raw pg'))?.rate;
    const ratio = (row: Row, base: number | undefined) => (row.note.startsWith('PostgreSQL') && base ? (row.rate / base).toFixed(2) : '–');
    console.log(`\n### SQL stores: ${CONCURRENCY} concurrent cycles (load, set one attribute, save) over ${SESSIONS} sessions, pool ${POOL}, ${SECONDS} s each (${machine})\n`);
    console.log('| contender | database | cycles/s | p50 ms | p99 ms | CPU µs/cycle | × connect-pg-simple | × raw pg |');
    console.log('|---|---|---:|---:|---:|---:|---:|---:|');
    for (const row of rows) {
      console.log(`| ${row.name} | ${row.note} | ${row.rate.toFixed(0)} | ${ms(row.p50)} | ${ms(row.p99)} | ${row.cpuUs.toFixed(1)} | ${ratio(row, cps)} | ${ratio(row, rawPg)} |`);
    }
    if (keeps.length > 0) console.log(`\nNo lost write, 50 concurrent writes of different attributes to one session: ${keeps.join('; ')}.`);
  }
  if (sqliteRows.length > 0) {
    console.log(`\n### SQLite: ${CONCURRENCY} concurrent cycles (load, set one attribute, save) over ${SESSIONS} sessions, ${SECONDS} s each (${machine})\n`);
    console.log('| contender | database | cycles/s | p50 ms | p99 ms | CPU µs/cycle | bytes/session | × raw better-sqlite3 (same durability) |');
    console.log('|---|---|---:|---:|---:|---:|---:|---:|');
    for (const row of sqliteRows) {
      const floor = sqliteRows.find((other) => other.note === row.note && other.name.startsWith('raw better-sqlite3'))!.rate;
      console.log(`| ${row.name} | ${row.note} | ${row.rate.toFixed(0)} | ${ms(row.p50)} | ${ms(row.p99)} | ${row.cpuUs.toFixed(1)} | ${row.bytes?.toFixed(0) ?? '–'} | ${(row.rate / floor).toFixed(2)} |`);
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
