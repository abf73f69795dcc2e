/**
 * Unbounded growth, measured: one anonymous client PUTs 1,000 `draft:` attributes of 20 kB into
 * its session on the demo, while another user reads its own session. With the schema's limits
 * (64 KiB, 50 drafts) the flood ends in 413 after three drafts; this prints what that costs.
 *
 * `node --expose-gc --import tsx bench/growth.ts [store…]` (default: sqlite redis memory; the demo's
 * environment variables pick the servers, as in `npm run demo`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemo } from '../examples/demo/server.js';

const DRAFTS = 1_000;
const DRAFT = JSON.stringify('x'.repeat(20_000));
const temp = mkdtempSync(join(tmpdir(), 'sessiongen-growth-'));

const ENV: Record<string, Record<string, string>> = {
  sqlite: { DATABASE_URL: join(temp, 'growth.db') },
  memory: {},
  postgres: { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test' },
  mariadb: { DATABASE_URL: 'mysql://root@127.0.0.1:3306/test' },
  redis: { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: `growth${process.pid}:session` },
};

async function timed<T>(work: () => Promise<T>): Promise<[number, T]> {
  const start = performance.now();
  const result = await work();
  return [performance.now() - start, result];
}

/** RSS after a full collection (run with --expose-gc), so garbage not yet collected does not count. */
function settledRss(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().rss;
}

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]!;
const ms = (value: number) => value.toFixed(1);

async function run(store: string): Promise<string> {
  const demo = await startDemo({ ...process.env, ...ENV[store], SESSION_STORE: store, PORT: '0' });
  const base = `http://127.0.0.1:${demo.port}`;
  try {
    const other = await fetch(`${base}/api/session/attributes/tenantId`, { method: 'PUT', body: '"other-user"' });
    const otherCookie = other.headers.get('set-cookie')!.split(';')[0]!;
    const otherGet = async () => (await timed(async () => (await fetch(`${base}/api/session`, { headers: { cookie: otherCookie } })).text()))[0];
    const idle: number[] = [];
    for (let i = 0; i < 50; i++) idle.push(await otherGet());

    let rssBefore = 0;
    let cookie: string | undefined;
    const put: number[] = [];
    const statuses = new Map<number, number>();
    const during: number[] = [];
    for (let i = 0; i < DRAFTS; i++) {
      const [took, response] = await timed(() =>
        fetch(`${base}/api/session/attributes/draft:d${i}`, { method: 'PUT', body: DRAFT, headers: cookie ? { cookie } : {} }),
      );
      await response.arrayBuffer();
      cookie ??= response.headers.get('set-cookie')?.split(';')[0];
      put.push(took);
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      if (i % 10 === 0) during.push(await otherGet());
      if (i === 99) rssBefore = settledRss();
    }
    const body = await (await fetch(`${base}/api/session`, { headers: { cookie: cookie! } })).text();
    const rssAfter = settledRss();
    const first = put.slice(0, 10);
    const last = put.slice(-100);
    return `| ${store} | ${[...statuses].map(([status, n]) => `${n}×${status}`).join(', ')} | ${ms(percentile(first, 0.5))} → ${ms(percentile(last, 0.5))} | ${(body.length / 1024).toFixed(1)} KiB | ${ms(percentile(idle, 0.9))} → ${ms(percentile(during, 0.9))} | ${(rssBefore / 2 ** 20).toFixed(0)} → ${(rssAfter / 2 ** 20).toFixed(0)} MiB |`;
  } finally {
    await demo.close();
  }
}

const stores = process.argv.slice(2).length ? process.argv.slice(2) : ['sqlite', 'redis', 'memory'];
console.log(`${DRAFTS} PUTs of a 20 kB draft into one session, another user's GET every 10th PUT:\n`);
console.log('| store | answers | PUT median ms, first 10 → last 100 | GET of the session | other user p90 ms, idle → during | demo RSS, PUT 100 → 1,000 |');
console.log('|---|---|---|---|---|---|');
try {
  for (const store of stores) console.log(await run(store));
} finally {
  rmSync(temp, { recursive: true, force: true });
}
