/**
 * Lost connections: the store's connections are killed on the server (CLIENT KILL) in the middle
 * of a load of saves. Calls in flight fail with a SessionStoreError that says what happened; calls
 * after the reconnect succeed; every save that resolved is in Redis afterwards, with its value.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionStoreError } from '@sessiongen/runtime';
import { RedisSessionStore, type RedisClient } from '@sessiongen/runtime/redis';
import { appSessionDescriptor, AppSessionRepository } from '../../generated/index.js';
import { CLUSTER_NODES, closeClient, deleteKeys, openAdmin, openClient, sleep, STANDALONE_URL, SUBJECTS, uniquePrefix } from './helpers.js';

const SAVES = 600;

/** Kills, on every node, the connections whose client name is `name`; returns how many. */
async function killConnections(admins: Redis[], name: string): Promise<number> {
  let killed = 0;
  for (const admin of admins) {
    const list = (await admin.client('LIST')) as string;
    for (const line of list.split('\n')) {
      if (!line.includes(` name=${name} `)) continue;
      const id = /(?:^|\s)id=(\d+)/.exec(line)?.[1];
      if (id) killed += Number(await admin.client('KILL', 'ID', id));
    }
  }
  return killed;
}

for (const { topology, library } of SUBJECTS) {
  describe(`Redis store when its connections are killed (${topology}, ${library})`, () => {
    const name = `sessiongen-fault-${randomBytes(4).toString('hex')}`;
    const prefix = uniquePrefix();
    let client: RedisClient;
    let store: RedisSessionStore;
    let repo: AppSessionRepository;
    let admins: Redis[];

    beforeAll(async () => {
      client = openClient(topology, library, { connectionName: name });
      store = await RedisSessionStore.open(appSessionDescriptor, client, { keyPrefix: prefix, keyspaceNotifications: 'off' });
      repo = new AppSessionRepository(store);
      admins =
        topology === 'standalone'
          ? [new Redis(STANDALONE_URL)]
          : CLUSTER_NODES.split(',').map((node) => new Redis(Number(node.split(':')[1]), node.split(':')[0]!));
    });

    afterAll(async () => {
      const admin = openAdmin(topology);
      await deleteKeys(admin, prefix);
      await admin.quit();
      await store.close();
      await closeClient(client);
      for (const admin of admins) await admin.quit();
    });

    it('fails calls in flight clearly, recovers, and keeps every save that resolved', async () => {
      // Warm up: every node has the scripts and a connection.
      for (let i = 0; i < 20; i++) await repo.save(repo.createSession().set('principalName', 'fault-warmup'));

      const resolved = new Map<string, string>();
      const failures: unknown[] = [];
      let started = 0;
      let stop = false;
      // 64 workers save new sessions back to back until told to stop.
      const worker = async () => {
        while (!stop) {
          const i = started++;
          const session = repo.createSession().set('principalName', `fault-${i % 5}`).set('tenantId', `t-${i}`);
          try {
            const outcome = await repo.save(session);
            if (outcome === 'saved') resolved.set(session.id, `t-${i}`);
          } catch (err) {
            failures.push(err);
          }
        }
      };
      const workers = Array.from({ length: 64 }, worker);
      // Kill while saves are in flight, then keep saving through the reconnect.
      const deadline = Date.now() + 20_000;
      while (resolved.size < 200 && Date.now() < deadline) await sleep(1);
      const killed = await killConnections(admins, name);
      const startedAtKill = started;
      while (started < startedAtKill + SAVES && Date.now() < deadline) await sleep(5);
      stop = true;
      await Promise.all(workers);

      expect(killed).toBeGreaterThan(0);
      expect(failures.length, 'some saves were in flight when the connections died').toBeGreaterThan(0);
      expect(resolved.size + failures.length).toBe(started);
      for (const failure of failures) {
        expect(failure).toBeInstanceOf(SessionStoreError);
        expect((failure as Error).message).toMatch(new RegExp(`^${store.kind} store: save failed: .+`));
      }

      // Later calls succeed once the client has reconnected.
      let after: string | undefined;
      for (let attempt = 0; attempt < 50 && !after; attempt++) {
        try {
          const session = repo.createSession().set('tenantId', 'after-the-kill');
          await repo.save(session);
          after = session.id;
        } catch {
          await sleep(100);
        }
      }
      expect(after).toBeDefined();
      expect((await repo.findById(after!))!.get('tenantId')).toBe('after-the-kill');

      // Every save that resolved is there, indexed.
      for (const [id, tenant] of resolved) {
        const found = await repo.findById(id);
        expect(found, id).not.toBeNull();
        expect(found!.get('tenantId')).toBe(tenant);
      }
      const indexed = new Set<string>();
      for (let p = 0; p < 5; p++) for (const id of (await repo.findByPrincipalName(`fault-${p}`)).keys()) indexed.add(id);
      for (const id of resolved.keys()) expect(indexed.has(id), `index entry of ${id}`).toBe(true);
    }, 60_000);
  });
}
