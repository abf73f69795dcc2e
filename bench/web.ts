/**
 * Web benchmark: autocannon, 32 connections; every request is a PUT that changes one attribute of
 * a signed-in session on Redis (load it, check the principal, set the attribute, save it). Each
 * server runs in a process of its own; this process only generates load and reads each server's
 * CPU time from /proc. All servers run in one run, interleaved: every round measures each of them
 * once, in a rotated order, so a change in the machine's load falls on all of them alike.
 *
 * Express 5: no session (the ceiling), sessiongen's middleware, express-session + connect-redis.
 * Fastify 5: no session, sessiongen's plugin, @fastify/session + connect-redis.
 *
 * `npx tsx bench/web.ts`. Environment: BENCH_SECONDS (per server per round, default 5),
 * BENCH_ROUNDS (default 3), BENCH_ONLY (comma-separated server ids), BENCH_CPU_PROF (a directory:
 * the servers write `--cpu-prof` profiles into <dir>/<server id>/, one per thread), BENCH_BASELINE (a built checkout of an
 * earlier sessiongen: its sessiongen servers run too, as `… (baseline)`, for A/B figures in one run),
 * BENCH_REDIS_CLIENT (the client of sessiongen's Redis store, see bench/web/sessiongen-repository.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import { redisClientName } from './web/sessiongen-repository.js';

interface AutocannonResult {
  requests: { total: number };
  latency: { p50: number; p99: number };
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
}
interface AutocannonRequest {
  method: string;
  path: string;
  setupRequest?: (request: Record<string, unknown>) => unknown;
}
type Autocannon = (options: { url: string; connections: number; duration: number; requests: AutocannonRequest[] }) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const CONNECTIONS = 32;
/** Sessions per server: requests take them in turn, so one session is rarely in two requests at once. */
const SESSIONS = CONNECTIONS * 4;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP_SECONDS = 2;
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/8';
const PREFIX = `bench-web-${randomBytes(4).toString('hex')}`;
const CPU_PROF = process.env.BENCH_CPU_PROF;
const BASELINE = process.env.BENCH_BASELINE;
const ATTRIBUTE = 'lastLoginAt';
/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

type Role = 'ceiling' | 'ours' | 'theirs';
interface Server {
  id: string;
  name: string;
  framework: 'Express 5' | 'Fastify 5';
  role: Role;
  script: string;
  /** A checkout to run the script in (the baseline), default this one. */
  cwd?: string;
}
interface Sample {
  requests: number;
  seconds: number;
  cpuSeconds: number;
  p50: number;
  p99: number;
  bad: number;
}
interface Running extends Server {
  child: ChildProcess;
  url: string;
  cookies: string[];
  samples: Sample[];
}

const SERVERS: Server[] = [
  { id: 'express-bare', name: 'Express, no session (ceiling)', framework: 'Express 5', role: 'ceiling', script: 'bench/web/express-bare.ts' },
  { id: 'express-sessiongen', name: 'Express + sessiongen', framework: 'Express 5', role: 'ours', script: 'bench/web/express-sessiongen.ts' },
  { id: 'express-session', name: 'Express + express-session + connect-redis', framework: 'Express 5', role: 'theirs', script: 'bench/web/express-session-redis.mjs' },
  { id: 'fastify-bare', name: 'Fastify, no session (ceiling)', framework: 'Fastify 5', role: 'ceiling', script: 'bench/web/fastify-bare.ts' },
  { id: 'fastify-sessiongen', name: 'Fastify + sessiongen', framework: 'Fastify 5', role: 'ours', script: 'bench/web/fastify-sessiongen.ts' },
  { id: 'fastify-session', name: 'Fastify + @fastify/session + connect-redis', framework: 'Fastify 5', role: 'theirs', script: 'bench/web/fastify-session-redis.mjs' },
];
if (BASELINE) {
  for (const server of SERVERS.filter((candidate) => candidate.role === 'ours')) {
    SERVERS.push({ ...server, id: `${server.id}-baseline`, name: `${server.name} (baseline)`, cwd: resolve(BASELINE) });
  }
}
const only = process.env.BENCH_ONLY?.split(',');
const chosen = only ? SERVERS.filter((server) => only.includes(server.id)) : SERVERS;

function start(server: Server): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolvePort, reject) => {
    const profile = CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${resolve(CPU_PROF, server.id)}`] : [];
    const child = spawn(process.execPath, [...profile, '--import', 'tsx', server.script], {
      cwd: server.cwd,
      env: { ...process.env, PORT: '0', BENCH_REDIS_URL: REDIS_URL, BENCH_PREFIX: PREFIX, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /ready (\d+)/.exec(out);
      if (match) resolvePort({ child, port: Number(match[1]) });
    });
    child.once('exit', (code) => reject(new Error(`${server.script} exited with ${code} before it was ready`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolveStop) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolveStop();
    child.once('exit', () => resolveStop());
    // Its own child, by its handle (pid). SIGINT: Node exits through its default handler, which
    // still writes a --cpu-prof profile.
    child.kill('SIGINT');
  });
}

/** The server process's user + system CPU time so far, in seconds. */
function cpuSeconds(child: ChildProcess): number {
  const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** Signs in SESSIONS sessions; returns their cookies (none for a server without sessions). */
async function signIn(server: Server, url: string): Promise<string[]> {
  const cookies: string[] = [];
  for (let i = 0; i < SESSIONS; i++) {
    const response = await fetch(`${url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ principalName: `user-${i}` }),
    });
    if (response.status !== 200) throw new Error(`${server.name}: POST /login answered ${response.status}`);
    await response.arrayBuffer();
    if (server.role === 'ceiling') continue;
    const line = response.headers.getSetCookie()[0];
    if (!line) throw new Error(`${server.name}: POST /login set no session cookie`);
    cookies.push(line.split(';')[0]);
  }
  return cookies;
}

let written = 0;
async function load(server: Running, seconds: number): Promise<AutocannonResult> {
  let next = 0;
  const requests: AutocannonRequest[] = [
    {
      method: 'PUT',
      path: `/session/attributes/${ATTRIBUTE}`,
      setupRequest: (request) => {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (server.cookies.length > 0) headers.cookie = server.cookies[next++ % server.cookies.length];
        return { ...request, headers, body: String(++written) };
      },
    },
  ];
  return autocannon({ url: server.url, connections: CONNECTIONS, duration: seconds, requests });
}

async function measure(server: Running): Promise<void> {
  const before = cpuSeconds(server.child);
  const result = await load(server, SECONDS);
  const cpu = cpuSeconds(server.child) - before;
  server.samples.push({
    requests: result.requests.total,
    seconds: result.duration,
    cpuSeconds: cpu,
    p50: result.latency.p50,
    p99: result.latency.p99,
    bad: result.errors + result.timeouts + result.non2xx,
  });
}

/** Every session's attribute was written: the last value of the first session is a number from this run. */
async function checkKept(server: Running): Promise<void> {
  if (server.cookies.length === 0) return;
  const response = await fetch(`${server.url}/session/attributes/${ATTRIBUTE}`, { headers: { cookie: server.cookies[0] } });
  const value = (await response.json()) as unknown;
  if (typeof value !== 'number' || !(value > 0)) throw new Error(`${server.name}: ${ATTRIBUTE} reads ${JSON.stringify(value)}; the writes were not kept`);
}

async function cleanup(): Promise<void> {
  const redis = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
  await redis.quit();
}

async function redisVersion(): Promise<string> {
  const redis = new Redis(REDIS_URL);
  const info = await redis.info('server');
  await redis.quit();
  return /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const load1 = () => loadavg().map((n) => n.toFixed(2)).join(' ');

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  cpuMicros: number;
  bad: number;
  spread: string;
}
function figures(server: Running): Figures {
  const requests = server.samples.reduce((sum, s) => sum + s.requests, 0);
  const seconds = server.samples.reduce((sum, s) => sum + s.seconds, 0);
  const cpu = server.samples.reduce((sum, s) => sum + s.cpuSeconds, 0);
  const perRound = server.samples.map((s) => s.requests / s.seconds);
  return {
    rps: requests / seconds,
    p50: median(server.samples.map((s) => s.p50)),
    p99: median(server.samples.map((s) => s.p99)),
    cpuMicros: (cpu / requests) * 1e6,
    bad: server.samples.reduce((sum, s) => sum + s.bad, 0),
    spread: `${fmt(Math.min(...perRound))}–${fmt(Math.max(...perRound))}`,
  };
}

const running: Running[] = [];
try {
  console.log(`Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, Redis ${await redisVersion()} at ${REDIS_URL}; load average ${load1()} at the start.`);
  console.log(
    `autocannon: ${CONNECTIONS} connections, PUT /session/attributes/${ATTRIBUTE} (one attribute of a signed-in session, ${SESSIONS} sessions per server taken in turn); ` +
      `${ROUNDS} rounds × ${SECONDS} s per server, interleaved, after a ${WARMUP_SECONDS} s warm-up. sessiongen's store on ${redisClientName}. CPU: the server process's user+system time per request.\n`,
  );
  for (const server of chosen) {
    const { child, port } = await start(server);
    const url = `http://127.0.0.1:${port}`;
    running.push({ ...server, child, url, cookies: await signIn(server, url), samples: [] });
  }
  for (const server of running) await load(server, WARMUP_SECONDS);
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < running.length; i++) await measure(running[(i + round) % running.length]);
  }
  for (const server of running) await checkKept(server);

  const summary: string[] = [];
  for (const framework of ['Express 5', 'Fastify 5'] as const) {
    const group = running.filter((server) => server.framework === framework);
    if (group.length === 0) continue;
    const ceiling = group.find((server) => server.role === 'ceiling');
    const theirs = group.find((server) => server.role === 'theirs');
    const ceilingRps = ceiling ? figures(ceiling).rps : NaN;
    const theirsRps = theirs ? figures(theirs).rps : NaN;
    console.log(`### ${framework}\n`);
    console.log('| server | req/s | rounds' + "'" + ' req/s | p50 ms | p99 ms | CPU µs/req | errors+non-2xx | × ceiling | × incumbent |');
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const server of group) {
      const f = figures(server);
      console.log(
        `| ${server.name} | ${fmt(f.rps)} | ${f.spread} | ${f.p50} | ${f.p99} | ${fmt(f.cpuMicros)} | ${f.bad} | ${(f.rps / ceilingRps).toFixed(2)} | ${(f.rps / theirsRps).toFixed(2)} |`,
      );
    }
    console.log('');
    for (const ours of group.filter((server) => server.role === 'ours')) {
      const rps = figures(ours).rps;
      const targets = [`${(rps / theirsRps).toFixed(2)}× ${theirs?.name.split(' + ').slice(1).join(' + ') ?? 'the incumbent'} (target ≥ 1.20: ${rps / theirsRps >= 1.2 ? 'met' : 'MISSED'})`];
      if (framework === 'Express 5') targets.push(`${(rps / ceilingRps).toFixed(2)}× the ceiling (target ≥ 0.75: ${rps / ceilingRps >= 0.75 ? 'met' : 'MISSED'})`);
      summary.push(`- ${ours.name}: ${targets.join(', ')}`);
    }
  }
  console.log(summary.join('\n'));
  console.log(`\nLoad average at the end: ${load1()}.`);
  const failed = running.filter((server) => figures(server).bad > 0);
  if (failed.length > 0) throw new Error(`errors or non-2xx answers from ${failed.map((server) => server.name).join(', ')}`);
} finally {
  await Promise.all(running.map((server) => stop(server.child)));
  await cleanup();
}
