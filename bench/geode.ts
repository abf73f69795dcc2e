/**
 * Geode store vs the floor: raw REST calls with `fetch` doing the same work on the same document
 * format — `GET /{region}?keys=` of the session, one attribute changed, `PUT` of the whole document
 * (and, as a second floor, the same with the REST API's compare-and-set instead of the PUT). The
 * work unit is a request's cycle: load a session, change one attribute, save. 64 cycles in flight
 * over 10,000 sessions, rounds interleaved (floor, store, CAS floor, …) so that load from elsewhere
 * on the machine hits them alike. Starts its own server (full JIT, 384 MB heap) from
 * generated/geode/cache.xml on free ports, and stops it at the end.
 *
 *   npx tsx bench/geode.ts
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { decodeGeodeDocument, encodeGeodeDocument, GeodeSessionStore } from '@sessiongen/runtime/geode';
import { appSessionDescriptor, AppSessionRepository } from '../generated/index.js';
import { appSessionGeodeRegions as REGIONS } from '../generated/geode/region.js';
import { GENERATED_CACHE_XML, GEODE_VERSION, startGeodeServer } from '../test/services/geode.js';

const SESSIONS = 10_000;
const CONCURRENCY = 64;
const ROUND_MS = 6_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const WARMUP_MS = 5_000;

console.error(`starting a Geode server from ${GENERATED_CACHE_XML} …`);
const server = await startGeodeServer({ cacheXml: GENERATED_CACHE_XML, name: 'bench', heap: '384m', fullJit: true });

/** The server JVM's CPU time so far, in ms (Linux /proc; 0 elsewhere). */
function serverCpuMs(): number {
  try {
    const fields = readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

const key = (id: string) => encodeURIComponent(encodeURIComponent(id));
const entryUrl = (id: string) => `${server.url}/${REGIONS.region}?keys=${key(id)}`;
const JSON_TYPE = { 'content-type': 'application/json;charset=UTF-8', accept: 'application/json' };

try {
  const initialAttributes = (i: number) => ({
    principalName: `user-${i % 1000}`,
    tenantId: `tenant-${i % 20}`,
    roles: ['user', 'reader'],
    cart: [
      { sku: 'ABC-123', quantity: 2, unitPriceCents: 1999 },
      { sku: 'XYZ-999', quantity: 1, unitPriceCents: 500, note: 'gift' },
    ],
  });

  // --- the floors: the same documents, written and read with plain fetch calls ------------------
  const rawIds: string[] = [];
  const now = Date.now();
  for (let start = 0; start < SESSIONS; start += 200) {
    await Promise.all(
      Array.from({ length: 200 }, async (_, offset) => {
        const i = start + offset;
        const id = `raw-${process.pid}-${i}`;
        rawIds.push(id);
        const attributes = initialAttributes(i);
        const text = encodeGeodeDocument(REGIONS, { id, creationTime: now, lastAccessedTime: now, maxInactiveInterval: 1800, expiresAt: now + 1_800_000, state: 'live', attributes });
        const response = await fetch(entryUrl(id), { method: 'PUT', headers: JSON_TYPE, body: text });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`raw PUT answered ${response.status}`);
      }),
    );
  }
  let rawCounter = 0;
  let conflicts = 0;
  const rawRead = async (id: string) => {
    const response = await fetch(entryUrl(id), { headers: { accept: 'application/json' } });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`raw GET answered ${response.status}`);
    return text;
  };
  const changed = (text: string) => {
    const document = decodeGeodeDocument(text);
    document.lastAccessedTime = Date.now();
    document.expiresAt = document.lastAccessedTime + 1_800_000;
    document.attributes.lastLoginAt = ++rawCounter;
    return encodeGeodeDocument(REGIONS, document);
  };
  const rawPutCycle = async () => {
    const id = rawIds[Math.floor(Math.random() * SESSIONS)]!;
    const next = changed(await rawRead(id));
    const response = await fetch(entryUrl(id), { method: 'PUT', headers: JSON_TYPE, body: next });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`raw PUT answered ${response.status}`);
  };
  const rawCasCycle = async () => {
    const id = rawIds[Math.floor(Math.random() * SESSIONS)]!;
    const text = await rawRead(id);
    const response = await fetch(`${entryUrl(id)}&op=CAS`, { method: 'PUT', headers: JSON_TYPE, body: `{"@old":${text},"@new":${changed(text)}}` });
    await response.arrayBuffer();
    // A 409 (another cycle changed it first) is a finished cycle too: the floor does not retry.
    if (response.status === 409) conflicts++;
    else if (response.status !== 200) throw new Error(`raw CAS answered ${response.status}`);
  };

  // --- the store, through the generated repository -------------------------------------------------
  const store = await GeodeSessionStore.open(appSessionDescriptor, REGIONS, server.url, { sweepIntervalMs: false });
  const repo = new AppSessionRepository(store);
  const storeIds: string[] = [];
  for (let start = 0; start < SESSIONS; start += 200) {
    await Promise.all(
      Array.from({ length: 200 }, async (_, offset) => {
        const i = start + offset;
        const session = repo.createSession();
        for (const [name, value] of Object.entries(initialAttributes(i))) (session as unknown as { set(n: string, v: unknown): void }).set(name, value);
        await repo.save(session);
        storeIds.push(session.id);
      }),
    );
  }
  let storeCounter = 0;
  const storeCycle = async () => {
    const id = storeIds[Math.floor(Math.random() * SESSIONS)]!;
    const session = await repo.findById(id);
    if (!session) throw new Error(`session ${id} missing`);
    session.lastAccessedTime = Date.now();
    session.set('lastLoginAt', ++storeCounter);
    const outcome = await repo.save(session);
    if (outcome !== 'saved') throw new Error(`save gave ${outcome}`);
  };

  const run = async (cycle: () => Promise<void>, ms: number) => {
    let done = 0;
    const latencies: number[] = [];
    const deadline = performance.now() + ms;
    const started = performance.now();
    const cpu = process.cpuUsage();
    const serverCpu = serverCpuMs();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (performance.now() < deadline) {
          const t = performance.now();
          await cycle();
          latencies.push(performance.now() - t);
          done++;
        }
      }),
    );
    const elapsed = performance.now() - started;
    const used = process.cpuUsage(cpu);
    latencies.sort((a, b) => a - b);
    return {
      done,
      elapsed,
      nodeCpuMs: (used.user + used.system) / 1000,
      serverCpuMs: serverCpuMs() - serverCpu,
      p50: latencies[Math.floor(latencies.length * 0.5)]!,
      p99: latencies[Math.floor(latencies.length * 0.99)]!,
    };
  };

  type Which = 'raw' | 'cas' | 'store';
  const cycles: Record<Which, () => Promise<void>> = { raw: rawPutCycle, cas: rawCasCycle, store: storeCycle };
  console.error('warming up …');
  for (const which of ['raw', 'cas', 'store'] as const) await run(cycles[which], WARMUP_MS);

  const blank = () => ({ done: 0, elapsed: 0, nodeCpuMs: 0, serverCpuMs: 0, p50: [] as number[], p99: [] as number[] });
  const totals: Record<Which, ReturnType<typeof blank>> = { raw: blank(), cas: blank(), store: blank() };
  const perRound: string[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const order: Which[] = round % 2 === 1 ? ['raw', 'store', 'cas'] : ['cas', 'store', 'raw'];
    const rates: Partial<Record<Which, number>> = {};
    for (const which of order) {
      const result = await run(cycles[which], ROUND_MS);
      const total = totals[which];
      total.done += result.done;
      total.elapsed += result.elapsed;
      total.nodeCpuMs += result.nodeCpuMs;
      total.serverCpuMs += result.serverCpuMs;
      total.p50.push(result.p50);
      total.p99.push(result.p99);
      rates[which] = (result.done / result.elapsed) * 1000;
    }
    perRound.push(
      `round ${round}: floor ${rates.raw!.toFixed(0)}/s, CAS floor ${rates.cas!.toFixed(0)}/s, store ${rates.store!.toFixed(0)}/s, ratio ${(rates.store! / rates.raw!).toFixed(2)} (× CAS floor ${(rates.store! / rates.cas!).toFixed(2)})`,
    );
    console.error(perRound[perRound.length - 1]);
  }

  const rate = (which: Which) => (totals[which].done / totals[which].elapsed) * 1000;
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const cpu = (which: Which) => ({
    node: (totals[which].nodeCpuMs * 1000) / totals[which].done,
    server: (totals[which].serverCpuMs * 1000) / totals[which].done,
  });
  const cpuTotal = (which: Which) => cpu(which).node + cpu(which).server;
  console.log(`\n### Geode: load → change one attribute → save (${CONCURRENCY} in flight, ${SESSIONS.toLocaleString('en')} sessions, ${ROUNDS} × ${ROUND_MS / 1000} s each)\n`);
  console.log(
    `Machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}, one Apache Geode ${GEODE_VERSION} server (-Xmx384m, Developer REST API) on the same machine.\n`,
  );
  // CPU per cycle (this process + the server JVM) is the steadier figure on a shared machine.
  console.log('| implementation | cycles/s | p50 ms | p99 ms | CPU µs/cycle (node + server) | × floor (cycles/s) | × floor (CPU/cycle) |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  const row = (label: string, which: Which) => {
    const c = cpu(which);
    console.log(
      `| ${label} | ${rate(which).toFixed(0)} | ${median(totals[which].p50).toFixed(2)} | ${median(totals[which].p99).toFixed(2)} | ${cpuTotal(which).toFixed(1)} (${c.node.toFixed(1)} + ${c.server.toFixed(1)}) | ${(rate(which) / rate('raw')).toFixed(2)} | ${(cpuTotal('raw') / cpuTotal(which)).toFixed(2)} |`,
    );
  };
  row('raw fetch: GET + PUT of the document (floor)', 'raw');
  row('raw fetch: GET + PUT ?op=CAS of the document', 'cas');
  row('sessiongen GeodeSessionStore (repository findById + save: CAS)', 'store');
  console.log(`\nCAS floor conflicts (409, no write): ${conflicts}.`);
  console.log(`\nLoad average during the run: ${loadavg().map((value) => value.toFixed(1)).join(' / ')} (1 / 5 / 15 min).`);
  console.log(`\n${perRound.map((line) => `- ${line}`).join('\n')}`);
  await store.close();
} finally {
  await server.stop();
}
