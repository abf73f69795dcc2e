/**
 * A load of concurrent writes through the real repository, for fault tests: each worker creates
 * sessions and adds attributes to the ones it created, one write at a time, and remembers every
 * write that was acknowledged (a save that resolved `saved`). Afterwards, {@link missingWrites}
 * reads every acknowledged write back: any that is not there was lost.
 */
import { expect } from 'vitest';
import { SessionStoreError } from '@sessiongen/runtime';
import type { AppSessionRepository } from '../../generated/index.js';

export interface Acknowledged {
  id: string;
  attribute: 'tenantId' | `draft:${string}`;
  value: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class WriteLoad {
  readonly acknowledged: Acknowledged[] = [];
  readonly failures: unknown[] = [];
  private stopped = false;
  private readonly workers: Promise<void>[];
  private sequence = 0;

  /** Starts `workers` workers writing back to back; a worker pauses 20 ms after a failed write. */
  constructor(
    private readonly repository: AppSessionRepository,
    workers: number,
    private readonly tag: string,
  ) {
    this.workers = Array.from({ length: workers }, (_, worker) => this.work(worker));
  }

  get attempts(): number {
    return this.sequence;
  }

  /** Waits until `count` more writes are acknowledged than now, or `timeoutMs` passed; true when they were. */
  async acknowledge(count: number, timeoutMs: number): Promise<boolean> {
    const target = this.acknowledged.length + count;
    const deadline = Date.now() + timeoutMs;
    while (this.acknowledged.length < target && Date.now() < deadline) await sleep(5);
    return this.acknowledged.length >= target;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.workers);
  }

  private async work(worker: number): Promise<void> {
    const mine: string[] = [];
    while (!this.stopped) {
      const n = this.sequence++;
      try {
        // Every third write creates a session; the others add an attribute to one this worker created.
        const existingId = n % 3 === 0 || mine.length === 0 ? undefined : mine[n % mine.length]!;
        const session = existingId === undefined ? this.repository.createSession() : await this.repository.findById(existingId);
        if (!session) throw new Error(`session ${existingId} of worker ${worker} is gone`);
        const write: Acknowledged =
          existingId === undefined
            ? { id: session.id, attribute: 'tenantId', value: `${this.tag}-${n}` }
            : { id: session.id, attribute: `draft:${this.tag}-${n}`, value: `w${worker}-${n}` };
        session.set(write.attribute, write.value);
        if ((await this.repository.save(session)) === 'saved') {
          this.acknowledged.push(write);
          if (existingId === undefined) mine.push(session.id);
        }
      } catch (err) {
        this.failures.push(err);
        await sleep(20);
      }
    }
  }
}

/** The acknowledged writes that are not in the store now (must be none). */
export async function missingWrites(repository: AppSessionRepository, writes: Acknowledged[]): Promise<Acknowledged[]> {
  const missing: Acknowledged[] = [];
  const byId = new Map<string, Acknowledged[]>();
  for (const write of writes) byId.set(write.id, [...(byId.get(write.id) ?? []), write]);
  for (const [id, expected] of byId) {
    const session = await repository.findById(id);
    for (const write of expected) if (session?.get(write.attribute as never) !== write.value) missing.push(write);
  }
  return missing;
}

/** Retries one write until it is acknowledged; resolves with how long that took, or throws after `timeoutMs`. */
export async function recoveryTime(repository: AppSessionRepository, timeoutMs: number): Promise<number> {
  const started = Date.now();
  let last: unknown;
  while (Date.now() - started < timeoutMs) {
    try {
      const session = repository.createSession().set('tenantId', 'recovered');
      if ((await repository.save(session)) === 'saved' && (await repository.findById(session.id))?.get('tenantId') === 'recovered') {
        return Date.now() - started;
      }
    } catch (err) {
      last = err;
    }
    await sleep(50);
  }
  throw new Error(`no write was acknowledged within ${timeoutMs} ms after the fault: ${(last as Error | undefined)?.message}`);
}

export interface FaultRun {
  /** The store's name in the printed figures: `redis`, `postgres`. */
  store: string;
  repository: AppSessionRepository;
  workers: number;
  /** Acknowledged writes before the fault, and again after it. */
  writes: number;
  /** How long the load and the recovery may take after the fault (ms). */
  recoveryMs: number;
}

/**
 * Runs a write load, applies `fault` once `writes` writes are acknowledged, waits for a new write
 * to be acknowledged and for the load to go on, then checks that no acknowledged write is missing
 * and that every failed write failed as a store error. Prints the figures; resolves with how many
 * writes failed during the fault.
 */
export async function underFault(run: FaultRun, label: string, fault: (load: WriteLoad) => Promise<void>): Promise<{ failed: number }> {
  const load = new WriteLoad(run.repository, run.workers, label);
  try {
    expect(await load.acknowledge(run.writes, 10_000), 'writes before the fault').toBe(true);
    const failedBefore = load.failures.length;
    await fault(load);
    const recoveredIn = await recoveryTime(run.repository, run.recoveryMs);
    expect(await load.acknowledge(run.writes, run.recoveryMs), 'the load goes on after the fault').toBe(true);
    await load.stop();
    const missing = await missingWrites(run.repository, load.acknowledged);
    const failed = load.failures.length - failedBefore;
    console.log(
      `${run.store}, ${label}: ${missing.length} of ${load.acknowledged.length} acknowledged writes missing; ` +
        `${failed} of ${load.attempts} writes failed; a new write was acknowledged ${recoveredIn} ms after the fault`,
    );
    expect(missing).toEqual([]);
    for (const failure of load.failures) expect(failure).toBeInstanceOf(SessionStoreError);
    return { failed };
  } finally {
    await load.stop();
  }
}
