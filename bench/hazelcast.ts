/**
 * Hazelcast store vs the floor: raw hazelcast-client `IMap.get` + `IMap.set(…, ttl)` of a plain
 * session object. The work unit is a request's cycle: load a session, change one attribute, save.
 * 64 cycles in flight over 10,000 sessions, rounds interleaved (floor, store, floor, store, …) so
 * that load from elsewhere on the machine hits both alike. Starts its own member (full JIT, 384 MB
 * heap) from generated/hazelcast/member.xml on port 5831+, and stops it at the end.
 *
 *   npx tsx bench/hazelcast.ts
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { Client } from 'hazelcast-client';
import { createHazelcastSessionClient, HazelcastSessionStore } from '@sessiongen/runtime/hazelcast';
import { appSessionDescriptor, AppSessionRepository } from '../generated/index.js';
import { appSessionHazelcastMapping } from '../generated/hazelcast/mapping.js';
import { freePort, GENERATED_MEMBER_XML, startHazelcastMember } from '../test/services/hazelcast.js';

const SESSIONS = 10_000;
const CONCURRENCY = 64;
const ROUND_MS = 6_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const WARMUP_MS = 5_000;
const TTL_MS = 1_800_000;

const clusterName = `sessiongen-bench-${process.pid}`;
const port = await freePort([5831, 5832, 5833, 5834, 5835]);
console.error(`starting a member on 127.0.0.1:${port} from ${GENERATED_MEMBER_XML} …`);
const member = await startHazelcastMember({ config: GENERATED_MEMBER_XML, port, clusterName, heap: '384m', fullJit: true });

/** The member JVM's CPU time so far, in ms (Linux /proc; 0 elsewhere). */
function memberCpuMs(): number {
  try {
    const fields = readFileSync(`/proc/${member.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

const network = { clusterMembers: [`127.0.0.1:${port}`] };
const rawClient = await Client.newHazelcastClient({ clusterName, network, properties: { 'hazelcast.logging.level': 'WARN' } });
const storeClient = await createHazelcastSessionClient({ clusterName, network });

try {
  // --- the floor: a plain object per session in its own map -------------------------------------
  interface RawSession {
    id: string;
    creationTime: number;
    lastAccessedTime: number;
    maxInactiveInterval: number;
    attributes: Record<string, unknown>;
  }
  const rawMap = await rawClient.getMap<string, RawSession>(process.env.BENCH_RAW_MAP ?? 'bench-raw-sessions');
  const initialAttributes = (i: number) => ({
    principalName: `user-${i % 1000}`,
    tenantId: `tenant-${i % 20}`,
    roles: ['user', 'reader'],
    cart: [
      { sku: 'ABC-123', quantity: 2, unitPriceCents: 1999 },
      { sku: 'XYZ-999', quantity: 1, unitPriceCents: 500, note: 'gift' },
    ],
  });
  const rawIds: string[] = [];
  const now = Date.now();
  for (let start = 0; start < SESSIONS; start += 500) {
    await Promise.all(
      Array.from({ length: 500 }, (_, offset) => {
        const i = start + offset;
        const id = `raw-${i}`;
        rawIds.push(id);
        return rawMap.set(id, { id, creationTime: now, lastAccessedTime: now, maxInactiveInterval: 1800, attributes: initialAttributes(i) }, TTL_MS);
      }),
    );
  }
  let rawCounter = 0;
  const rawCycle = async () => {
    const id = rawIds[Math.floor(Math.random() * SESSIONS)]!;
    const session = await rawMap.get(id);
    if (!session) throw new Error(`raw session ${id} missing`);
    session.lastAccessedTime = Date.now();
    session.attributes.lastLoginAt = ++rawCounter;
    await rawMap.set(id, session, TTL_MS);
  };

  // --- the store, through the generated repository -------------------------------------------------
  const store = await HazelcastSessionStore.open(appSessionDescriptor, appSessionHazelcastMapping, storeClient, { expiryEvents: process.env.BENCH_NO_LISTENER ? false : true });
  if (process.env.BENCH_DEBUG) console.error(`  store skips matching TTL: ${store.skipsMatchingTtl}`);
  const repo = new AppSessionRepository(store);
  const storeIds: string[] = [];
  for (let start = 0; start < SESSIONS; start += 500) {
    await Promise.all(
      Array.from({ length: 500 }, async (_, offset) => {
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
    const memberCpu = memberCpuMs();
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
    const memberUsed = memberCpuMs() - memberCpu;
    if (process.env.BENCH_DEBUG) {
      console.error(
        `  node cpu ${((used.user + used.system) / done).toFixed(1)} µs/cycle (${(((used.user + used.system) / 1000 / elapsed) * 100).toFixed(0)}% of a core), member cpu ${((memberUsed * 1000) / done).toFixed(1)} µs/cycle`,
      );
    }
    latencies.sort((a, b) => a - b);
    return {
      done,
      elapsed,
      nodeCpuMs: (used.user + used.system) / 1000,
      memberCpuMs: memberUsed,
      p50: latencies[Math.floor(latencies.length * 0.5)]!,
      p99: latencies[Math.floor(latencies.length * 0.99)]!,
    };
  };

  console.error('warming up …');
  await run(rawCycle, WARMUP_MS);
  await run(storeCycle, WARMUP_MS);

  const blank = () => ({ done: 0, elapsed: 0, nodeCpuMs: 0, memberCpuMs: 0, p50: [] as number[], p99: [] as number[] });
  const totals = { raw: blank(), store: blank() };
  const perRound: string[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const order = round % 2 === 1 ? (['raw', 'store'] as const) : (['store', 'raw'] as const);
    const rates: Record<string, number> = {};
    for (const which of order) {
      const result = await run(which === 'raw' ? rawCycle : storeCycle, ROUND_MS);
      const total = totals[which];
      total.done += result.done;
      total.elapsed += result.elapsed;
      total.nodeCpuMs += result.nodeCpuMs;
      total.memberCpuMs += result.memberCpuMs;
      total.p50.push(result.p50);
      total.p99.push(result.p99);
      rates[which] = (result.done / result.elapsed) * 1000;
    }
    perRound.push(`round ${round}: floor ${rates.raw!.toFixed(0)}/s, store ${rates.store!.toFixed(0)}/s, ratio ${(rates.store! / rates.raw!).toFixed(2)}`);
    console.error(perRound[perRound.length - 1]);
  }

  const rate = (which: 'raw' | 'store') => (totals[which].done / totals[which].elapsed) * 1000;
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const floor = rate('raw');
  const ours = rate('store');
  console.log(`\n### Hazelcast: load → change one attribute → save (${CONCURRENCY} in flight, ${SESSIONS.toLocaleString('en')} sessions, ${ROUNDS} × ${ROUND_MS / 1000} s each)\n`);
  console.log(`Machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}, one Hazelcast 5.5.0 member (-Xmx384m) on the same machine.\n`);
  // CPU per cycle (this process + the member JVM) is the steadier figure on a shared machine: both
  // sides are CPU-bound on the same cores, so throughput follows it when nothing else runs.
  const cpu = (which: 'raw' | 'store') => ({
    node: (totals[which].nodeCpuMs * 1000) / totals[which].done,
    member: (totals[which].memberCpuMs * 1000) / totals[which].done,
  });
  const floorCpu = cpu('raw');
  const ourCpu = cpu('store');
  const cpuRatio = (floorCpu.node + floorCpu.member) / (ourCpu.node + ourCpu.member);
  console.log('| implementation | cycles/s | p50 ms | p99 ms | CPU µs/cycle (node + member) | × floor (cycles/s) | × floor (CPU/cycle) |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  const row = (label: string, which: 'raw' | 'store', ratio: number, ratioCpu: number) => {
    const c = cpu(which);
    console.log(
      `| ${label} | ${rate(which).toFixed(0)} | ${median(totals[which].p50).toFixed(2)} | ${median(totals[which].p99).toFixed(2)} | ${(c.node + c.member).toFixed(1)} (${c.node.toFixed(1)} + ${c.member.toFixed(1)}) | ${ratio.toFixed(2)} | ${ratioCpu.toFixed(2)} |`,
    );
  };
  row('raw hazelcast-client IMap.get + IMap.set(ttl) (floor)', 'raw', 1, 1);
  row('sessiongen HazelcastSessionStore (repository findById + save: CAS replaceIfSame, TTL)', 'store', ours / floor, cpuRatio);
  console.log(`\nLoad average during the run: ${loadavg().map((value) => value.toFixed(1)).join(' / ')} (1 / 5 / 15 min).`);
  console.log(`\n${perRound.map((line) => `- ${line}`).join('\n')}`);
  await store.close();
} finally {
  await rawClient.shutdown();
  await storeClient.shutdown();
  await member.stop();
}
