/**
 * Two processes on one store, both with the client-side cache: a child process (another app
 * server) saves new versions of sessions, changes their ids and deletes them, and reports each
 * write the moment the store acknowledged it; this process loads the session as soon as it reads
 * the report, while readers of its own keep loading every session. No load begun after a report
 * may return what that write replaced.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisSessionStore } from '@sessiongen/runtime/redis';
import { AppSessionRepository } from '../../generated/index.js';
import { openStore, STANDALONE_URL, type OpenedStore } from './helpers.js';

const SESSIONS = 8;
const VERSIONS = 60;
const WRITER = fileURLToPath(new URL('./cache-writer-process.ts', import.meta.url));

type Report =
  | { op: 'created'; slot: number; id: string }
  | { op: 'saved'; slot: number; id: string; version: number; from?: string }
  | { op: 'deleted'; slot: number; id: string }
  | { op: 'done'; cache: { hits: number } };

// This process on ioredis, the other on node-redis: the cache connection made from each.
describe('two processes on one store, both caching', () => {
  let opened: OpenedStore;
  let repository: AppSessionRepository;

  beforeAll(async () => {
    opened = await openStore('standalone', { clientCache: true, keyspaceNotifications: 'off' });
    repository = new AppSessionRepository(opened.store);
  });

  afterAll(async () => {
    await opened?.close();
  });

  it("never loads what the other process's acknowledged save, id change or delete replaced", async () => {
    const child = spawn(process.execPath, ['--conditions=sessiongen:source', '--import', 'tsx', WRITER, STANDALONE_URL, opened.prefix, String(SESSIONS), String(VERSIONS), 'node-redis'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let errors = '';
    child.stderr.on('data', (chunk) => (errors += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));

    /** Per slot: its id now and the last version the child acknowledged; ids acknowledged as gone. */
    const slots: Array<{ id: string; version: number }> = [];
    const gone = new Set<string>();
    const stale: string[] = [];
    const checks: Promise<void>[] = [];
    let loads = 0;
    let running = true;
    let childHits = 0;
    const check = async (id: string, version: number) => {
      const wasGone = gone.has(id);
      const found = await repository.findById(id);
      loads++;
      if (wasGone && found !== null) stale.push(`${id} loaded after its delete or id change was acknowledged`);
      else if (!wasGone && found !== null && found.get('lastLoginAt')! < version) stale.push(`${id}: loaded ${found.get('lastLoginAt')} after ${version} was acknowledged`);
    };
    const reader = async (from: number) => {
      for (let n = from; running; n++) {
        const slot = slots[n % SESSIONS];
        if (slot) await check(slot.id, slot.version);
        else await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    const readers = Array.from({ length: 8 }, (_, i) => reader(i));

    for await (const line of createInterface({ input: child.stdout })) {
      const report = JSON.parse(line) as Report;
      if (report.op === 'created') slots[report.slot] = { id: report.id, version: 0 };
      else if (report.op === 'saved') {
        if (report.from !== undefined) {
          gone.add(report.from);
          checks.push(check(report.from, report.version));
        }
        slots[report.slot] = { id: report.id, version: report.version };
        checks.push(check(report.id, report.version));
      } else if (report.op === 'deleted') {
        gone.add(report.id);
        checks.push(check(report.id, VERSIONS));
      } else childHits = report.cache.hits;
    }
    running = false;
    await Promise.all([...readers, ...checks]);
    expect(await exited, errors).toBe(0);
    expect(stale).toEqual([]);
    expect(loads).toBeGreaterThan(SESSIONS * VERSIONS);
    const stats = (opened.store as RedisSessionStore).clientCacheStats!;
    // Both caches served loads: the test proves something about them.
    expect(stats.hits).toBeGreaterThan(0);
    expect(childHits).toBeGreaterThan(0);
  }, 120_000);
});
