/**
 * Events with the Hazelcast store, seen from two application instances (two clients, two
 * repositories) on the global-setup member: created and deleted come from the repository that did
 * it, expired comes from the member's entry listener to every instance, and changeSessionId is
 * neither a create nor a delete anywhere (Spring gh-1077).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionEvent } from '@sessiongen/runtime';
import { openHazelcastStoreFromEnv } from '@sessiongen/runtime/hazelcast';
import { appSessionDescriptor, AppSessionRepository } from '../../generated/index.js';
import { appSessionHazelcastMapping } from '../../generated/hazelcast/mapping.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let repoA: AppSessionRepository;
let repoB: AppSessionRepository;
const seenA: SessionEvent[] = [];
const seenB: SessionEvent[] = [];

beforeAll(async () => {
  const [storeA, storeB] = await Promise.all([
    openHazelcastStoreFromEnv(appSessionDescriptor, appSessionHazelcastMapping, process.env),
    openHazelcastStoreFromEnv(appSessionDescriptor, appSessionHazelcastMapping, process.env),
  ]);
  repoA = new AppSessionRepository(storeA);
  repoB = new AppSessionRepository(storeB);
  for (const type of ['created', 'deleted', 'expired'] as const) {
    repoA.on(type, (event) => seenA.push(event));
    repoB.on(type, (event) => seenB.push(event));
  }
}, 60_000);

afterAll(async () => {
  await repoA?.close();
  await repoB?.close();
});

const typesFor = (seen: SessionEvent[], ...ids: string[]) => seen.filter((event) => ids.includes(event.sessionId)).map((event) => event.type);

describe('hazelcast events', () => {
  it('created and deleted once, from the instance that did it; nothing on the other', async () => {
    const session = repoA.createSession().set('tenantId', 'events');
    await repoA.save(session);
    await repoA.save(session.set('locale', 'fr-FR'));
    await repoA.deleteById(session.id);
    await sleep(1_000); // room for any listener-driven duplicate to arrive
    expect(typesFor(seenA, session.id)).toEqual(['created', 'deleted']);
    expect(typesFor(seenB, session.id)).toEqual([]);
  });

  it('changeSessionId emits neither created nor deleted, for either id, on either instance', async () => {
    const session = repoA.createSession().set('principalName', 'mover');
    await repoA.save(session);
    const oldId = session.id;
    const found = (await repoB.findById(oldId))!;
    const newId = found.changeSessionId();
    await repoB.save(found);
    const second = (await repoA.findById(newId))!;
    const newest = second.changeSessionId();
    await repoA.save(second);
    await sleep(1_000);
    expect(typesFor(seenA, oldId, newId, newest)).toEqual(['created']);
    expect(typesFor(seenA, newId, newest)).toEqual([]);
    expect(typesFor(seenB, oldId, newId, newest)).toEqual([]);
  });

  it('expired reaches every instance once, from the entry listener, with no read to trigger it', async () => {
    const session = repoA.createSession();
    session.maxInactiveInterval = 1;
    await repoA.save(session);
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && !(typesFor(seenA, session.id).includes('expired') && typesFor(seenB, session.id).includes('expired'))) {
      await sleep(100);
    }
    await sleep(500);
    expect(typesFor(seenA, session.id)).toEqual(['created', 'expired']);
    expect(typesFor(seenB, session.id)).toEqual(['expired']);
  }, 30_000);

  it('a moved session expires under its new id only', async () => {
    const session = repoA.createSession();
    session.maxInactiveInterval = 2;
    await repoA.save(session);
    const oldId = session.id;
    session.changeSessionId();
    session.lastAccessedTime = Date.now();
    await repoA.save(session);
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && !typesFor(seenA, session.id).includes('expired')) await sleep(100);
    await sleep(500);
    expect(typesFor(seenA, session.id)).toEqual(['expired']);
    expect(typesFor(seenA, oldId)).toEqual(['created']);
  }, 30_000);
});
