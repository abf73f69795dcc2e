/**
 * Failover: two members in one cluster (TCP-IP join on loopback) — one loaded from the generated
 * XML, the other from the generated YAML — 2,000 sessions written, one member SIGKILLed, every
 * session read back with its attributes; then the killed member rejoins and writes go on.
 * This test starts and stops its own pair (ports 5821+), apart from the global-setup member.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHazelcastSessionClient, HazelcastSessionStore, type HazelcastClient } from '@sessiongen/runtime/hazelcast';
import { appSessionDescriptor, AppSessionRepository, type AppSession } from '../../generated/index.js';
import { appSessionHazelcastMapping } from '../../generated/hazelcast/mapping.js';
import {
  freePort,
  GENERATED_MEMBER_XML,
  GENERATED_MEMBER_YAML,
  memberLogShowsClusterOf,
  startHazelcastMember,
  type RunningMember,
} from '../services/hazelcast.js';

const SESSIONS = 2_000;
const clusterName = `sessiongen-failover-${process.pid}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let ports: number[];
let xmlMember: RunningMember | undefined;
let yamlMember: RunningMember | undefined;
let client: HazelcastClient | undefined;
let store: HazelcastSessionStore | undefined;
let repo: AppSessionRepository;

async function inBatches<T>(items: T[], size: number, run: (item: T, index: number) => Promise<void>): Promise<void> {
  for (let start = 0; start < items.length; start += size) {
    await Promise.all(items.slice(start, start + size).map((item, offset) => run(item, start + offset)));
  }
}

const attributesOf = (i: number) => ({
  principalName: `user-${i % 100}`,
  tenantId: `tenant-${i % 7}`,
  cart: [{ sku: `SKU-${i}`, quantity: (i % 9) + 1, unitPriceCents: i }],
  'draft:note': `note ${i} ✓`,
});

async function waitForMembers(count: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (client!.getCluster().getMembers().length === count) return;
    await sleep(200);
  }
  throw new Error(`the client did not see ${count} members within ${timeoutMs / 1000}s`);
}

beforeAll(async () => {
  const first = await freePort([5821, 5822, 5823, 5824, 5825]);
  const second = await freePort([first + 1, first + 2, first + 3, first + 4].filter((port) => port <= 5830));
  ports = [first, second];
  xmlMember = await startHazelcastMember({ config: GENERATED_MEMBER_XML, port: ports[0]!, clusterName, clusterPorts: ports });
  yamlMember = await startHazelcastMember({ config: GENERATED_MEMBER_YAML, port: ports[1]!, clusterName, clusterPorts: ports });
  client = await createHazelcastSessionClient({
    clusterName,
    network: { clusterMembers: ports.map((port) => `127.0.0.1:${port}`) },
    connectionStrategy: { connectionRetry: { clusterConnectTimeoutMillis: 60_000 } },
  });
  await waitForMembers(2, 60_000);
  store = await HazelcastSessionStore.open(appSessionDescriptor, appSessionHazelcastMapping, client, { expiryEvents: false });
  repo = new AppSessionRepository(store);
}, 240_000);

afterAll(async () => {
  await store?.close();
  await client?.shutdown();
  await yamlMember?.stop();
  await xmlMember?.stop();
}, 60_000);

describe('hazelcast failover', () => {
  it('both generated configs load into members of one cluster (YAML member joined the XML one)', () => {
    expect(memberLogShowsClusterOf(yamlMember!.log, 2)).toBe(true);
    expect(store!.skipsMatchingTtl).toBe(true);
  });

  it(`loses none of ${SESSIONS} sessions when a member is SIGKILLed, and goes on writing after it rejoins`, async () => {
    const sessions: AppSession[] = Array.from({ length: SESSIONS }, () => repo.createSession());
    await inBatches(sessions, 100, async (session, i) => {
      for (const [name, value] of Object.entries(attributesOf(i))) (session as unknown as { set(n: string, v: unknown): void }).set(name, value);
      expect(await repo.save(session)).toBe('saved');
    });

    // The member about to die owns the primaries of some of these sessions.
    const victim = client!.getCluster().getMembers().find((member) => member.address.port === ports[1]);
    expect(victim, 'the YAML member is in the cluster').toBeDefined();
    const partitions = client!.getPartitionService();
    const onVictim = sessions.filter((session) => partitions.getPartitionOwner(partitions.getPartitionId(session.id))?.toString() === victim!.uuid.toString());
    expect(onVictim.length).toBeGreaterThan(SESSIONS / 4);

    await yamlMember!.kill();
    yamlMember = undefined;
    await waitForMembers(1, 90_000);

    // Every session, with every attribute, from the survivor (backups promoted).
    await inBatches(sessions, 100, async (session, i) => {
      const found = await repo.findById(session.id);
      expect(found, `session ${i}`).not.toBeNull();
      expect(found!.attributesSnapshot()).toEqual(attributesOf(i));
    });
    expect(await (await client!.getMap(appSessionHazelcastMapping.map)).size()).toBe(SESSIONS);
    const byPrincipal = await repo.findByPrincipalName('user-42');
    expect(byPrincipal.size).toBe(SESSIONS / 100);

    // The killed member comes back (same port, the YAML config again) and rejoins.
    yamlMember = await startHazelcastMember({ config: GENERATED_MEMBER_YAML, port: ports[1]!, clusterName, clusterPorts: ports });
    await waitForMembers(2, 90_000);
    expect(client!.getCluster().getMembers().some((member) => member.uuid.toString() === victim!.uuid.toString())).toBe(false);
    expect(memberLogShowsClusterOf(yamlMember.log, 2)).toBe(true);

    // Writes continue: updates of existing sessions and new ones, all read back.
    const updated = sessions.slice(0, 300);
    await inBatches(updated, 50, async (session, i) => {
      const found = (await repo.findById(session.id))!;
      expect(await repo.save(found.set('locale', 'fr-FR').set('draft:after', `after ${i}`))).toBe('saved');
    });
    const fresh = Array.from({ length: 200 }, () => repo.createSession());
    await inBatches(fresh, 50, async (session, i) => {
      expect(await repo.save(session.set('tenantId', `rejoined-${i % 3}`))).toBe('saved');
    });
    await inBatches(updated, 100, async (session, i) => {
      const found = (await repo.findById(session.id))!;
      expect(found.get('locale')).toBe('fr-FR');
      expect(found.get('draft:after')).toBe(`after ${i}`);
      expect(found.get('principalName')).toBe(attributesOf(i).principalName);
    });
    for (const session of fresh) expect(await repo.findById(session.id)).not.toBeNull();
    expect((await repo.findByTenantId('rejoined-1')).size).toBe(fresh.filter((_, i) => i % 3 === 1).length);
  }, 240_000);
});
