/**
 * Redis benchmark: one process, 64 concurrent request cycles (load a session, change one
 * attribute, save it) over 10 000 sessions with the same attributes, for
 *
 *   - sessiongen: AppSessionRepository over RedisSessionStore, on ioredis and on node-redis 5,
 *   - raw ioredis and raw node-redis, the floors: the same Redis commands the store sends, typed
 *     by hand (HGETALL, then one EVALSHA of the store's TOUCH script, or SAVE when TOUCH hands
 *     over, with hand-built arguments), no repository, no validation,
 *   - connect-redis 9 with node-redis 5 (as it requires), through express-session's Store API
 *     (`get` + `set`), the session shaped as express-session stores it (with its cookie).
 *
 * Then a read-mostly table (9 loads per save): sessiongen with and without its client-side cache
 * (`clientCache`) on each client library, beside connect-redis (`BENCH_READ_MOSTLY=off` skips it).
 *
 * Prints a Markdown table: cycles/s, CPU time per cycle (the whole process: client, store and
 * load generator), p50/p99 latency, bytes per session (MEMORY USAGE) and ratios. Uses the Redis at
 * REDIS_URL (default 127.0.0.1:6379) under a key prefix of its own, removed after.
 *
 *   npx tsx bench/redis.ts            (BENCH_SECONDS=8 per measured run, BENCH_ROUNDS=2 by default)
 *
 * BENCH_ONLY=<regex> runs only the contenders whose names match (for a profile: add
 * `--cpu-prof`). BENCH_BASELINE=<path of another build's runtime/dist/stores/redis/index.js> adds
 * "sessiongen (baseline)" contenders on both libraries, from that build, for an A/B in one run.
 */
import { randomBytes } from 'node:crypto';
import { cpus, loadavg, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { RedisStore } from 'connect-redis';
import type { SessionData } from 'express-session';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import * as sessiongenRedis from '@sessiongen/runtime/redis';
import { createNodeRedisSessionClient, createRedisSessionClient, RedisSessionStore } from '@sessiongen/runtime/redis';
import { SAVE_SCRIPT, TOUCH_SCRIPT } from '../runtime/stores/redis/scripts.js';
import { appSessionDescriptor, AppSessionRepository } from '../generated/index.js';

const URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SESSIONS = 10_000;
const CONCURRENCY = 64;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const WARMUP_SECONDS = 2;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const token = randomBytes(4).toString('hex');
const prefix = `bench:${token}`;
/** Reads back sizes and cleans up, whatever the contender's client. */
const admin = new Redis(URL);

/** The attributes every contender's sessions carry (what a signed-in shop user has). */
function attributes(n: number) {
  return {
    principalName: `user-${n % 2_000}@example.com`,
    tenantId: `tenant-${n % 50}`,
    roles: ['customer', 'newsletter'],
    cart: [
      { sku: 'SKU-1001', quantity: 1, unitPriceCents: 1999 },
      { sku: 'SKU-2002', quantity: 3, unitPriceCents: 450, note: 'gift wrap' },
    ],
    locale: 'en-GB',
    lastLoginAt: 1_700_000_000_000 + n,
  };
}

/** Seeds SESSIONS sessions, 500 at a time, and returns their ids in order. */
async function seed(create: (n: number) => Promise<string>): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < SESSIONS; start += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, SESSIONS - start) }, async (_, k) => {
        ids[start + k] = await create(start + k);
      }),
    );
  }
  return ids;
}

/** Saves session number n through the repository, with every attribute set. */
async function seedSessiongen(repo: AppSessionRepository, n: number): Promise<string> {
  const a = attributes(n);
  const session = repo.createSession();
  for (const [name, value] of Object.entries(a)) session.set(name as keyof typeof a, value as never);
  await repo.save(session);
  return session.id;
}

/** Stores session number n as express-session would (with its cookie) through connect-redis. */
async function seedConnectRedis(store: RedisStore, n: number): Promise<string> {
  const sid = randomBytes(24).toString('base64url'); // express-session's default uid(24)
  const session = {
    cookie: { originalMaxAge: 1_800_000, expires: new Date(Date.now() + 1_800_000).toISOString(), httpOnly: true, path: '/' },
    ...attributes(n),
  };
  await store.set(sid, session as unknown as SessionData);
  return sid;
}

/** What express-session does on a request through connect-redis: get, the cookie's expiry rolls forward, set. */
async function connectRedisCycle(store: RedisStore, sid: string): Promise<void> {
  const session = (await store.get(sid)) as (SessionData & Record<string, unknown>) | null;
  if (!session) throw new Error('session vanished');
  const now = Date.now();
  (session.cookie as unknown as { expires: string }).expires = new Date(now + 1_800_000).toISOString();
  session.lastLoginAt = now;
  await store.set(sid, session);
}

interface Contender {
  name: string;
  setup(): Promise<void>;
  /** One request cycle on session number n. */
  cycle(n: number): Promise<void>;
  bytesPerSession(): Promise<{ bytes: number; note: string }>;
  teardown(): Promise<void>;
}

type Library = 'ioredis' | 'node-redis';
type RedisModule = typeof sessiongenRedis;

// --- sessiongen -------------------------------------------------------------------------------

function sessiongen(library: Library, module: RedisModule = sessiongenRedis, label = 'sessiongen'): Contender {
  const client =
    library === 'ioredis' ? module.createRedisSessionClient({ url: URL }) : module.createNodeRedisSessionClient({ url: URL });
  const keyPrefix = `${prefix}:sg${randomBytes(3).toString('hex')}`;
  const ids: string[] = [];
  let repo: AppSessionRepository;
  let store: InstanceType<RedisModule['RedisSessionStore']>;
  return {
    name: `${label} (RedisSessionStore on ${library})`,
    async setup() {
      store = await module.RedisSessionStore.open(appSessionDescriptor, client, { keyPrefix, keyspaceNotifications: 'off' });
      repo = new AppSessionRepository(store);
      ids.push(...(await seed((n) => seedSessiongen(repo, n))));
    },
    async cycle(n) {
      const session = await repo.findById(ids[n % SESSIONS]!);
      if (!session) throw new Error('session vanished');
      const now = Date.now();
      session.lastAccessedTime = now;
      session.set('lastLoginAt', now);
      await repo.save(session);
    },
    async bytesPerSession() {
      const sample = ids.slice(0, 1_000);
      const hashes = await Promise.all(sample.map((id) => admin.memory('USAGE', store.keys.session(id), 'SAMPLES', 0)));
      const hash = hashes.reduce((a: number, b) => a + Number(b), 0) / sample.length;
      // Index keys are shared: their whole size divided by the sessions they hold.
      let indexBytes = 0;
      for (const index of appSessionDescriptor.indexes) {
        const values = new Set(Array.from({ length: SESSIONS }, (_, n) => (attributes(n) as Record<string, unknown>)[index.attribute] as string));
        for (const value of values) indexBytes += Number(await admin.memory('USAGE', store.keys.index(index, value), 'SAMPLES', 0));
      }
      return { bytes: hash + indexBytes / SESSIONS, note: `hash ${hash.toFixed(0)} B + index share ${(indexBytes / SESSIONS).toFixed(0)} B` };
    },
    async teardown() {
      await deleteUnder(admin, `${keyPrefix}:`);
      await store.close();
      if ('status' in client) await client.quit();
      else await client.close();
    },
  };
}

// --- raw clients (the floors) -----------------------------------------------------------------

/** What a raw contender sends: the same three commands on either library. */
interface RawClient {
  scriptLoad(lua: string): Promise<string>;
  evalsha(sha: string, keys: string[], args: string[]): Promise<unknown>;
  hgetall(key: string): Promise<Record<string, string>>;
  close(): Promise<void>;
}

function rawIoredisClient(): RawClient {
  const client = new Redis(URL);
  return {
    scriptLoad: async (lua) => (await client.script('LOAD', lua)) as string,
    evalsha: (sha, keys, args) => client.evalsha(sha, keys.length, ...keys, ...args),
    hgetall: (key) => client.hgetall(key),
    close: async () => void (await client.quit()),
  };
}

function rawNodeRedisClient(): RawClient {
  const client = createClient({ url: URL });
  let connected: Promise<unknown> | undefined;
  return {
    scriptLoad: async (lua) => {
      connected ??= client.connect();
      await connected;
      return client.scriptLoad(lua);
    },
    evalsha: (sha, keys, args) => client.evalSha(sha, { keys, arguments: args }),
    hgetall: (key) => client.hGetAll(key) as Promise<Record<string, string>>,
    close: () => client.close(),
  };
}

function raw(library: Library): Contender {
  const client = library === 'ioredis' ? rawIoredisClient() : rawNodeRedisClient();
  const keyPrefix = `${prefix}:raw${library === 'ioredis' ? 'io' : 'nr'}`;
  const ids: string[] = [];
  const sha = { save: '', touch: '' };
  const indexPrefix = `${keyPrefix}:index:`;
  // The SAVE script's keys and arguments, as the store sends them on a standalone server.
  const save = (id: string, fields: string[], principal: string, tenant: string, now: number, isNew: boolean) => {
    const key = `${keyPrefix}:{${id}}`;
    const expiresAt = now + 1_800_000;
    return client.evalsha(
      sha.save,
      [key, key, `${key}:moving`, `${key}:moved`, `${indexPrefix}principalName:${JSON.stringify(principal)}`, `${indexPrefix}tenantId:${JSON.stringify(tenant)}`],
      [isNew ? 'n' : 'u', String(now), String(expiresAt), id, id, indexPrefix, String(expiresAt + 900_000), String(expiresAt + 1_800_000), '2', '2', 'principalName', 'tenantId', String(fields.length / 2), ...fields, '0', '60000'],
    );
  };
  return {
    name: `raw ${library} (the store's commands by hand)`,
    async setup() {
      sha.save = await client.scriptLoad(SAVE_SCRIPT);
      sha.touch = await client.scriptLoad(TOUCH_SCRIPT);
      ids.push(
        ...(await seed(async (n) => {
          const id = randomBytes(16).toString('hex');
          const a = attributes(n);
          const now = Date.now();
          const fields: string[] = ['#lastAccessedTime', String(now), '#maxInactiveInterval', '1800', '#creationTime', String(now)];
          for (const [name, value] of Object.entries(a)) fields.push(name, JSON.stringify(value));
          await save(id, fields, a.principalName, a.tenantId, now, true);
          return id;
        })),
      );
    },
    async cycle(n) {
      const id = ids[n % SESSIONS]!;
      const key = `${keyPrefix}:{${id}}`;
      const hash = await client.hgetall(key);
      const attrs: Record<string, unknown> = {};
      for (const field in hash) if (field[0] !== '#') attrs[field] = JSON.parse(hash[field]!);
      const now = Date.now();
      attrs.lastLoginAt = now;
      // A plain update: the TOUCH script, as the store sends it (SAVE only when TOUCH says so).
      const expiresAt = now + 1_800_000;
      const fields = ['#lastAccessedTime', String(now), '#maxInactiveInterval', hash['#maxInactiveInterval']!, 'lastLoginAt', JSON.stringify(now)];
      const touched = await client.evalsha(sha.touch, [key, `${key}:moving`, `${key}:moved`], [String(now), String(expiresAt), String(expiresAt + 1_800_000), '2', ...fields]);
      if (touched === 2) await save(id, fields, attrs.principalName as string, attrs.tenantId as string, now, false);
    },
    async bytesPerSession() {
      return { bytes: NaN, note: 'same layout as sessiongen' };
    },
    async teardown() {
      await deleteUnder(admin, `${keyPrefix}:`);
      await client.close();
    },
  };
}

// --- connect-redis ----------------------------------------------------------------------------

function connectRedis(): Contender {
  const client = createClient({ url: URL });
  const keyPrefix = `${prefix}:cr:sess:`;
  let store: RedisStore;
  const ids: string[] = [];
  return {
    name: 'connect-redis 9 + node-redis 5',
    async setup() {
      await client.connect();
      store = new RedisStore({ client, prefix: keyPrefix, ttl: 1800 });
      ids.push(...(await seed((n) => seedConnectRedis(store, n))));
    },
    async cycle(n) {
      await connectRedisCycle(store, ids[n % SESSIONS]!);
    },
    async bytesPerSession() {
      const sample = ids.slice(0, 1_000);
      const sizes = await Promise.all(sample.map((sid) => client.memoryUsage(keyPrefix + sid, { SAMPLES: 0 })));
      return { bytes: sizes.reduce((a: number, b) => a + Number(b), 0) / sample.length, note: 'one JSON string per session' };
    },
    async teardown() {
      await deleteUnder(admin, keyPrefix);
      await client.quit();
    },
  };
}

// --- read-mostly: the client-side cache -------------------------------------------------------
//
// A user's requests mostly read their session: here one cycle is 9 read-only requests (a load
// each; with a touch interval sessiongen writes nothing for them, and connect-redis is given the
// same: `get` only, as with `disableTouch`) and then one request that loads, changes one attribute
// and saves. The same session 10 times in a row per cycle, 64 cycles in flight over 10 000 sessions.
// Contenders: sessiongen without and with `clientCache` (on each client library), connect-redis
// `get`/`set`. Printed with CPU time of this process per cycle (user + system).

const READS_PER_WRITE = 9;

interface ReadMostly {
  name: string;
  setup(): Promise<void>;
  /** One read-only request's load of session n. */
  read(n: number): Promise<void>;
  /** One writing request on session n: load, change, save. */
  write(n: number): Promise<void>;
  teardown(): Promise<void>;
  /** Whatever the contender wants to say under the table (cache hits). */
  note?(): string;
}

function readMostlySessiongen(label: string, library: 'ioredis' | 'node-redis', clientCache: boolean): ReadMostly {
  const client = library === 'ioredis' ? createRedisSessionClient({ url: URL }) : createNodeRedisSessionClient({ url: URL });
  const keyPrefix = `${prefix}:rm${library === 'ioredis' ? 'i' : 'n'}${clientCache ? 'c' : 'u'}`;
  const ids: string[] = [];
  let repo: AppSessionRepository;
  let store: RedisSessionStore;
  return {
    name: label,
    async setup() {
      store = await RedisSessionStore.open(appSessionDescriptor, client, { keyPrefix, keyspaceNotifications: 'off', clientCache });
      repo = new AppSessionRepository(store);
      ids.push(...(await seed((n) => seedSessiongen(repo, n))));
    },
    async read(n) {
      if (!(await repo.findById(ids[n % SESSIONS]!))) throw new Error('session vanished');
    },
    async write(n) {
      const session = await repo.findById(ids[n % SESSIONS]!);
      if (!session) throw new Error('session vanished');
      const now = Date.now();
      session.lastAccessedTime = now;
      session.set('lastLoginAt', now);
      await repo.save(session);
    },
    note() {
      const stats = store.clientCacheStats;
      return stats ? `${label}: ${stats.hits} loads from memory, ${stats.misses} read, ${stats.barriers} PINGs, ${stats.discarded} reads not kept` : '';
    },
    async teardown() {
      await deleteUnder(admin, `${keyPrefix}:`);
      await store.close();
      if ('status' in client) await client.quit();
      else await client.close();
    },
  };
}

function readMostlyConnectRedis(): ReadMostly {
  const client = createClient({ url: URL });
  const keyPrefix = `${prefix}:rmcr:sess:`;
  let store: RedisStore;
  const ids: string[] = [];
  const get = (sid: string) => store.get(sid) as Promise<(SessionData & Record<string, unknown>) | null>;
  return {
    name: 'connect-redis 9 + node-redis 5 (get; get + set)',
    async setup() {
      await client.connect();
      store = new RedisStore({ client, prefix: keyPrefix, ttl: 1800 });
      ids.push(...(await seed((n) => seedConnectRedis(store, n))));
    },
    async read(n) {
      if (!(await get(ids[n % SESSIONS]!))) throw new Error('session vanished');
    },
    async write(n) {
      await connectRedisCycle(store, ids[n % SESSIONS]!);
    },
    async teardown() {
      await deleteUnder(admin, keyPrefix);
      await client.quit();
    },
  };
}

async function driveReadMostly(contender: ReadMostly, seconds: number): Promise<Run> {
  const latencies: number[] = [];
  let next = Math.floor(Math.random() * SESSIONS);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const until = started + seconds * 1000;
  const worker = async () => {
    while (performance.now() < until) {
      const n = next++;
      const t0 = performance.now();
      for (let i = 0; i < READS_PER_WRITE; i++) await contender.read(n);
      await contender.write(n);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const used = process.cpuUsage(cpu);
  return { cycles: latencies.length, seconds: (performance.now() - started) / 1000, latencies, cpuMicros: used.user + used.system };
}

/** The read-mostly table, after the main one, in the same process. */
async function readMostlyBench(): Promise<void> {
  const contenders = [
    readMostlySessiongen('sessiongen, ioredis', 'ioredis', false),
    readMostlySessiongen('sessiongen, ioredis, clientCache', 'ioredis', true),
    readMostlySessiongen('sessiongen, node-redis', 'node-redis', false),
    readMostlySessiongen('sessiongen, node-redis, clientCache', 'node-redis', true),
    readMostlyConnectRedis(),
  ];
  for (const contender of contenders) await contender.setup();
  const runs = new Map<ReadMostly, Run[]>(contenders.map((c) => [c, []]));
  for (const contender of contenders) await driveReadMostly(contender, WARMUP_SECONDS);
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? contenders : [...contenders].reverse();
    for (const contender of order) runs.get(contender)!.push(await driveReadMostly(contender, SECONDS));
  }
  const rows = contenders.map((contender) => {
    const all = runs.get(contender)!;
    const cycles = all.reduce((a, r) => a + r.cycles, 0);
    const seconds = all.reduce((a, r) => a + r.seconds, 0);
    const cpu = all.reduce((a, r) => a + r.cpuMicros, 0);
    const latencies = all.flatMap((r) => r.latencies).sort((a, b) => a - b);
    return { contender, rate: cycles / seconds, cpuPerCycle: cpu / cycles, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
  });
  const connect = rows[rows.length - 1]!;
  const uncached = rows[0]!;
  console.log(`\n## Redis, read-mostly: ${READS_PER_WRITE} loads, then load → change one attribute → save (one cycle), ${CONCURRENCY} concurrent, ${SESSIONS} sessions\n`);
  console.log('| contender | cycles/s | requests/s | CPU µs/cycle | p50 ms | p99 ms | vs sessiongen ioredis uncached | vs connect-redis |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const row of rows) {
    console.log(
      `| ${row.contender.name} | ${row.rate.toFixed(0)} | ${(row.rate * (READS_PER_WRITE + 1)).toFixed(0)} | ${row.cpuPerCycle.toFixed(0)} | ${row.p50.toFixed(2)} | ${row.p99.toFixed(2)} | ` +
        `${(row.rate / uncached.rate).toFixed(2)}× | ${(row.rate / connect.rate).toFixed(2)}× |`,
    );
  }
  const notes = contenders.map((contender) => contender.note?.() ?? '').filter(Boolean);
  if (notes.length > 0) console.log(`\n${notes.join('\n')}`);
  for (const contender of contenders) await contender.teardown();
}

// --- harness ----------------------------------------------------------------------------------

async function deleteUnder(client: Redis, keyPrefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 5_000);
    cursor = next;
    if (keys.length > 0) await client.unlink(...keys);
  } while (cursor !== '0');
}

interface Run {
  cycles: number;
  seconds: number;
  /** CPU time of the whole process (user + system), µs. */
  cpuMicros: number;
  latencies: number[];
}

async function drive(contender: Contender, seconds: number): Promise<Run> {
  const latencies: number[] = [];
  let next = Math.floor(Math.random() * SESSIONS);
  const started = performance.now();
  const cpu = process.cpuUsage();
  const until = started + seconds * 1000;
  const worker = async () => {
    while (performance.now() < until) {
      const n = next++;
      const t0 = performance.now();
      await contender.cycle(n);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const used = process.cpuUsage(cpu);
  return { cycles: latencies.length, seconds: (performance.now() - started) / 1000, cpuMicros: used.user + used.system, latencies };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function main() {
  const baselinePath = process.env.BENCH_BASELINE;
  const baseline = baselinePath ? ((await import(pathToFileURL(baselinePath).href)) as RedisModule) : undefined;
  const only = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY) : undefined;
  const all = [
    raw('ioredis'),
    raw('node-redis'),
    sessiongen('ioredis'),
    sessiongen('node-redis'),
    ...(baseline ? [sessiongen('ioredis', baseline, 'sessiongen baseline')] : []),
    ...(baseline?.createNodeRedisSessionClient ? [sessiongen('node-redis', baseline, 'sessiongen baseline')] : []),
    connectRedis(),
  ];
  const contenders = all.filter((contender) => !only || only.test(contender.name));
  for (const contender of contenders) await contender.setup();
  const runs = new Map<Contender, Run[]>(contenders.map((c) => [c, []]));
  for (const contender of contenders) await drive(contender, WARMUP_SECONDS);
  // Alternate the order between rounds so that no contender always runs first or last.
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? contenders : [...contenders].reverse();
    for (const contender of order) runs.get(contender)!.push(await drive(contender, SECONDS));
  }
  const rows: Array<{ contender: Contender; rate: number; cpuPerCycle: number; p50: number; p99: number; memory: { bytes: number; note: string } }> = [];
  for (const contender of contenders) {
    const done = runs.get(contender)!;
    const cycles = done.reduce((a, r) => a + r.cycles, 0);
    const seconds = done.reduce((a, r) => a + r.seconds, 0);
    const cpu = done.reduce((a, r) => a + r.cpuMicros, 0);
    const latencies = done.flatMap((r) => r.latencies).sort((a, b) => a - b);
    rows.push({ contender, rate: cycles / seconds, cpuPerCycle: cpu / cycles, p50: percentile(latencies, 50), p99: percentile(latencies, 99), memory: await contender.bytesPerSession() });
  }
  const find = (name: string) => rows.find((row) => row.contender.name.startsWith(name));
  const connect = find('connect-redis');
  const info = await admin.info('server').then((text) => /redis_version:(\S+)/.exec(text)?.[1] ?? '?');
  console.log(`\n## Redis: load → change one attribute → save, ${CONCURRENCY} concurrent, ${SESSIONS} sessions\n`);
  console.log(
    `Machine: ${cpus().length} cores (${cpus()[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}, ` +
      `Node ${process.version}, Redis ${info} on loopback; one process, ${ROUNDS} × ${SECONDS} s per contender after ${WARMUP_SECONDS} s warm-up.\n`,
  );
  console.log('| contender | cycles/s | CPU µs/cycle | p50 ms | p99 ms | bytes/session (MEMORY USAGE) | vs raw, same client | vs connect-redis |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const row of rows) {
    const library = row.contender.name.includes('node-redis') ? 'node-redis' : 'ioredis';
    const floor = find(`raw ${library}`);
    const bytes = Number.isNaN(row.memory.bytes) ? `(${row.memory.note})` : `${row.memory.bytes.toFixed(0)} (${row.memory.note})`;
    const ratio = (of: typeof floor) => (of ? `${(row.rate / of.rate).toFixed(2)}×` : '–');
    console.log(
      `| ${row.contender.name} | ${row.rate.toFixed(0)} | ${row.cpuPerCycle.toFixed(0)} | ${row.p50.toFixed(2)} | ${row.p99.toFixed(2)} | ${bytes} | ${row.contender.name.startsWith('connect-redis') ? '–' : ratio(floor)} | ${ratio(connect)} |`,
    );
  }
  for (const library of ['ioredis', 'node-redis'] as const) {
    const ours = find(`sessiongen (RedisSessionStore on ${library})`);
    const floor = find(`raw ${library}`);
    if (!ours || !floor) continue;
    console.log(
      `\nsessiongen on ${library}: ${(ours.rate / floor.rate).toFixed(2)}× raw ${library} (target ≥ 0.90)` +
        (connect ? `, ${(ours.rate / connect.rate).toFixed(2)}× connect-redis (target ≥ 1.25); bytes/session ${ours.memory.bytes.toFixed(0)} vs connect-redis ${connect.memory.bytes.toFixed(0)} (target ≤).` : '.'),
    );
  }
  for (const contender of contenders) await contender.teardown();
  if (process.env.BENCH_READ_MOSTLY !== 'off') await readMostlyBench();
  await admin.quit();
  process.exit(0);
}

await main();
