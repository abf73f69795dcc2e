/**
 * The second process of the two-process cache test: another app server on the same store. It
 * creates sessions, then saves new versions of them, changes their ids and deletes them, one
 * acknowledged write at a time, and prints a JSON line for each as soon as the store acknowledged
 * it. It reads each session before it writes it, as a read-only request would. Run with: node --conditions=sessiongen:source --import tsx cache-writer-process.ts <redis url> <key prefix> <sessions> <versions> <ioredis|node-redis>
 */
import { createNodeRedisSessionClient, createRedisSessionClient, RedisSessionStore } from '@sessiongen/runtime/redis';
import { AppSessionRepository, appSessionDescriptor } from '../../generated/index.js';

const [url, keyPrefix, sessionsArg, versionsArg, library] = process.argv.slice(2);
const sessions = Number(sessionsArg);
const versions = Number(versionsArg);
const report = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

const client = library === 'node-redis' ? createNodeRedisSessionClient({ url: url! }) : createRedisSessionClient({ url: url! });
const store = await RedisSessionStore.open(appSessionDescriptor, client, { keyPrefix, keyspaceNotifications: 'off', clientCache: true });
const repository = new AppSessionRepository(store);

const ids: string[] = [];
for (let i = 0; i < sessions; i++) {
  const session = repository.createSession().set('lastLoginAt', 0);
  await repository.save(session);
  ids.push(session.id);
  report({ op: 'created', slot: i, id: session.id });
}
// Slots written in turn: a save of a new version, every tenth an id change with it.
for (let version = 1; version <= versions; version++) {
  for (let slot = 0; slot < sessions; slot++) {
    // A read-only request first (served from this process's cache), then the one that writes.
    await repository.findById(ids[slot]!);
    const session = (await repository.findById(ids[slot]!))!;
    session.set('lastLoginAt', version);
    const before = session.id;
    if (version % 10 === 0) session.changeSessionId();
    const outcome = await repository.save(session);
    if (outcome !== 'saved') throw new Error(`save of ${before} was ${outcome}`);
    ids[slot] = session.id;
    report({ op: 'saved', slot, id: session.id, version, ...(before !== session.id ? { from: before } : {}) });
  }
}
for (let slot = 0; slot < sessions; slot++) {
  await repository.deleteById(ids[slot]!);
  report({ op: 'deleted', slot, id: ids[slot] });
}
report({ op: 'done', cache: store.clientCacheStats });
await store.close();
if ('status' in client) await client.quit();
else await client.close();
