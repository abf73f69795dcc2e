/**
 * Web benchmark (issue 6): autocannon, 32 connections, each connection with a session of its own;
 * every request loads its session and changes one attribute, on Redis. Each server runs in a
 * process of its own (child_process); this process only generates load.
 *
 * Express: sessiongen middleware vs no session (the ceiling) vs express-session + connect-redis.
 * Fastify: sessiongen plugin vs no session vs @fastify/session + connect-redis.
 *
 * `npx tsx bench/web.ts` (BENCH_SECONDS, default 8 per server after a 2 s warm-up).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { Redis } from 'ioredis';

interface AutocannonResult {
  requests: { average: number; mean: number; total: number };
  latency: { p50: number; p99: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}
interface AutocannonRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  setupRequest?: (request: { headers?: Record<string, string> }, context: Record<string, unknown>) => unknown;
}
type Autocannon = (options: { url: string; connections: number; duration: number; pipelining?: number; requests: AutocannonRequest[] }) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const CONNECTIONS = 32;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const WARMUP_SECONDS = 2;
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/8';
const PREFIX = `bench-web-${randomBytes(4).toString('hex')}`;

interface Server {
  name: string;
  script: string;
  sessions: boolean;
}
const GROUPS: Array<{ framework: string; ceiling: Server; ours: Server; theirs: Server }> = [
  {
    framework: 'Express 5',
    ceiling: { name: 'Express, no session (ceiling)', script: 'bench/web/express-bare.ts', sessions: false },
    ours: { name: 'Express + sessiongen middleware', script: 'bench/web/express-sessiongen.ts', sessions: true },
    theirs: { name: 'Express + express-session + connect-redis', script: 'bench/web/express-session-redis.mjs', sessions: true },
  },
  {
    framework: 'Fastify 5',
    ceiling: { name: 'Fastify, no session (ceiling)', script: 'bench/web/fastify-bare.ts', sessions: false },
    ours: { name: 'Fastify + sessiongen plugin', script: 'bench/web/fastify-sessiongen.ts', sessions: true },
    theirs: { name: 'Fastify + @fastify/session + connect-redis', script: 'bench/web/fastify-session-redis.mjs', sessions: true },
  },
];

function start(server: Server): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', server.script], {
      env: { ...process.env, PORT: '0', BENCH_REDIS_URL: REDIS_URL, BENCH_PREFIX: PREFIX, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /ready (\d+)/.exec(out);
      if (match) resolve({ child, port: Number(match[1]) });
    });
    child.once('exit', (code) => reject(new Error(`${server.script} exited with ${code} before it was ready`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM'); // this process's own child, by its handle (pid)
  });
}

/** One session per connection: the first request of each makes it; returns the cookies. */
async function makeSessions(url: string): Promise<string[]> {
  const cookies: string[] = [];
  for (let i = 0; i < CONNECTIONS; i++) {
    const response = await fetch(`${url}/hit`);
    if (response.status !== 200) throw new Error(`${url}/hit answered ${response.status}`);
    const line = response.headers.getSetCookie()[0];
    if (!line) throw new Error(`${url}/hit set no session cookie`);
    cookies.push(line.split(';')[0]);
  }
  return cookies;
}

async function measure(server: Server): Promise<{ rps: number; p50: number; p99: number; bad: number; total: number }> {
  const { child, port } = await start(server);
  try {
    const url = `http://127.0.0.1:${port}`;
    const cookies = server.sessions ? await makeSessions(url) : [];
    let next = 0;
    const requests: AutocannonRequest[] = [
      {
        method: 'GET',
        path: '/hit',
        setupRequest: (request, context) => {
          if (!server.sessions) return request;
          if (context.cookie === undefined) context.cookie = cookies[next++ % cookies.length];
          return { ...request, headers: { ...request.headers, cookie: context.cookie as string } };
        },
      },
    ];
    await autocannon({ url, connections: CONNECTIONS, duration: WARMUP_SECONDS, requests });
    next = 0;
    const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, requests });
    if (server.sessions) {
      // Every connection's session was loaded and changed: its counter went up by its share of requests.
      const last = await fetch(`${url}/hit`, { headers: { cookie: cookies[0] } });
      const { n } = (await last.json()) as { n: number };
      if (!(n > 10)) throw new Error(`${server.name}: the session counter is ${n}; the sessions were not kept`);
    }
    return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, bad: result.errors + result.timeouts + result.non2xx, total: result.requests.total };
  } finally {
    await stop(child);
  }
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

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const ratio = (a: number, b: number) => (a / b).toFixed(2);

try {
  console.log(`Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}. Redis ${REDIS_URL}.`);
  console.log(`autocannon: ${CONNECTIONS} connections, ${SECONDS} s per server after a ${WARMUP_SECONDS} s warm-up; GET /hit loads the connection's session and changes one attribute.\n`);
  const summary: string[] = [];
  for (const group of GROUPS) {
    const ceiling = await measure(group.ceiling);
    const ours = await measure(group.ours);
    const theirs = await measure(group.theirs);
    console.log(`### ${group.framework}\n`);
    console.log('| server | req/s | p50 ms | p99 ms | errors/non-2xx | × ceiling |');
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const [server, r] of [[group.ceiling, ceiling], [group.ours, ours], [group.theirs, theirs]] as const) {
      console.log(`| ${server.name} | ${fmt(r.rps)} | ${r.p50} | ${r.p99} | ${r.bad} | ${ratio(r.rps, ceiling.rps)} |`);
    }
    console.log('');
    const vsCeiling = ours.rps / ceiling.rps;
    const vsTheirs = ours.rps / theirs.rps;
    summary.push(
      `- ${group.framework}: sessiongen ${ratio(ours.rps, ceiling.rps)}× the ceiling (target ≥ 0.80: ${vsCeiling >= 0.8 ? 'met' : 'MISSED'}), ` +
        `${ratio(ours.rps, theirs.rps)}× ${group.theirs.name.split(' + ').slice(1).join(' + ')} (target ≥ 1.20: ${vsTheirs >= 1.2 ? 'met' : 'MISSED'})`,
    );
  }
  console.log(summary.join('\n'));
} finally {
  await cleanup();
}
