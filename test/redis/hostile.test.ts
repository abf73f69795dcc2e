/**
 * Hostile ids (glob characters, newlines, 10 kB, lone surrogates and other non-UTF-8-able text)
 * sent to every public method and through the demo's routes: an id the repository could never
 * have made never reaches Redis at all; values that legitimately reach Redis (index values, ids
 * handed straight to the store) are only ever parts of literal keys, never patterns; nothing
 * gives a 500. Every command the store's client sends is recorded to prove it.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieSessionIdResolver, HeaderSessionIdResolver, SessionStoreError, type SessionStore } from '@sessiongen/runtime';
import { createDemoApp } from '../../examples/demo/app.js';
import { AppSessionRepository } from '../../generated/index.js';
import { openStore, SUBJECTS, type Library, type OpenedStore } from './helpers.js';

const HOSTILE = [
  '*',
  '?',
  '[a-z]*',
  'a\nb',
  '\r\n*',
  'x'.repeat(10_240),
  '\ud800\udfff\ud800',
  '\udc00',
  '\u00ff\u00fe',
  '',
  ' ',
  '../..',
  '{tag}',
  '}{',
  'app:session:*',
  '0f8fad5b-d9cb-469f-a165-70867728950*',
  '0F8FAD5B-D9CB-469F-A165-70867728950E',
  "' OR 1=1 --",
  '\u0000',
];
/** Commands that take a pattern or scan the keyspace: the store must never send one. */
const PATTERN_COMMANDS = new Set(['keys', 'scan', 'psubscribe', 'punsubscribe', 'pubsub', 'sort', 'migrate', 'flushdb', 'flushall']);

interface Sent {
  name: string;
  args: string[];
}

const text = (arg: unknown) => (Buffer.isBuffer(arg) ? arg.toString('latin1') : String(arg));

/** Records every command the client sends (the commands still go to Redis: a spy, not a mock). */
function record(opened: OpenedStore, library: Library): Sent[] {
  const sent: Sent[] = [];
  if (library === 'ioredis') {
    const client = opened.client as unknown as { sendCommand(command: { name: string; args: unknown[] }, ...rest: unknown[]): unknown };
    const original = client.sendCommand.bind(client);
    client.sendCommand = (command, ...rest) => {
      sent.push({ name: command.name.toLowerCase(), args: command.args.map(text) });
      return original(command, ...rest);
    };
    return sent;
  }
  // node-redis: every command reaches a connection's client through its sendCommand(args); on a
  // cluster, those are the masters' clients.
  const cluster = opened.client as unknown as { masters?: Array<{ client?: object }> };
  const clients = Array.isArray(cluster.masters) ? cluster.masters.map((master) => master.client!) : [opened.client];
  for (const client of clients as Array<{ sendCommand(args: unknown[], ...rest: unknown[]): unknown }>) {
    const original = client.sendCommand.bind(client);
    client.sendCommand = (args, ...rest) => {
      sent.push({ name: text(args[0]).toLowerCase(), args: args.slice(1).map(text) });
      return original(args, ...rest);
    };
  }
  return sent;
}

for (const { topology, library } of SUBJECTS) {
  describe(`hostile ids against the Redis store (${topology}, ${library})`, () => {
    let opened: OpenedStore;
    let repo: AppSessionRepository;
    let sent: Sent[];
    let victimId: string;

    beforeAll(async () => {
      opened = await openStore(topology, { keyspaceNotifications: 'off' }, undefined, library);
      repo = new AppSessionRepository(opened.store);
      const victim = repo.createSession().set('principalName', 'alice').set('tenantId', 'acme');
      await repo.save(victim);
      victimId = victim.id;
      sent = record(opened, library);
    });
    afterAll(() => opened?.close());

    const victimIntact = async () => {
      const found = await repo.findById(victimId);
      expect(found?.get('principalName')).toBe('alice');
      expect([...(await repo.findByPrincipalName('alice')).keys()]).toEqual([victimId]);
    };

    it('repository: findById / deleteById with an id it could not have made send nothing to Redis', async () => {
      sent.length = 0;
      for (const id of HOSTILE) {
        expect(await repo.findById(id)).toBeNull();
        await repo.deleteById(id);
      }
      expect(sent).toEqual([]);
      await victimIntact();
    });

    it('repository: index lookups with hostile values use them as literal keys only', async () => {
      sent.length = 0;
      for (const value of [...HOSTILE, 'ali*', 'a?ice', 'alic[e]']) {
        expect([...(await repo.findByPrincipalName(value)).keys()], JSON.stringify(value.slice(0, 20))).toEqual([]);
        expect([...(await repo.findByTenantId(value)).keys()]).toEqual([]);
      }
      expect(sent.length).toBeGreaterThan(0);
      for (const command of sent) {
        expect(PATTERN_COMMANDS.has(command.name), command.name).toBe(false);
        expect(['evalsha', 'eval', 'hgetall']).toContain(command.name);
      }
      await victimIntact();
    });

    it('store: every public method takes a hostile id as a literal key and touches nothing else', async () => {
      const store: SessionStore = opened.store;
      sent.length = 0;
      for (const id of HOSTILE) {
        expect(await store.load(id)).toBeNull();
        expect(await store.delete(id)).toBe(false);
        const now = Date.now();
        const base = { creationTime: now, lastAccessedTime: now, maxInactiveInterval: 60, expiresAt: now + 60_000, now };
        const indexes = { principalName: 'mallory', tenantId: null };
        // An update of a session that does not exist writes nothing, whatever the id.
        expect(await store.write({ ...base, id, isNew: false, set: { tenantId: 'x' }, removed: [], indexes, changedIndexes: [] })).toBe('gone');
        // An id change from a hostile id that does not exist: nothing moves.
        expect(await store.write({ ...base, id: `${id}-new`, previousId: id, isNew: false, set: {}, removed: [], indexes, changedIndexes: [] })).toBe('gone');
      }
      // Creating under an id that cannot be a hash tag is refused before Redis.
      for (const id of ['', '{x}', 'a}b']) {
        const now = Date.now();
        const create = { id, isNew: true, creationTime: now, lastAccessedTime: now, maxInactiveInterval: 60, expiresAt: now + 60_000, now, set: {}, removed: [], indexes: {}, changedIndexes: [] };
        await expect(store.write(create)).rejects.toThrow(SessionStoreError);
      }
      for (const command of sent) {
        expect(PATTERN_COMMANDS.has(command.name), command.name).toBe(false);
        expect(['evalsha', 'eval', 'hgetall']).toContain(command.name);
      }
      // Where an id appears in a command, it is inside `<prefix>:{<id>}` (or its `:moving` lock) or is a plain argument.
      const keysSent = sent.flatMap((command) => (command.name === 'hgetall' ? [command.args[0]!] : command.args.slice(2, 2 + Number(command.args[1]))));
      for (const key of keysSent) {
        expect(key.startsWith(`${opened.prefix}:`), key.slice(0, 60)).toBe(true);
        expect(key.includes('{}') || key.includes('}}'), key.slice(0, 60)).toBe(false);
      }
      expect(await repo.findByPrincipalName('mallory')).toEqual(new Map());
      await victimIntact();
    });

    describe('through the demo routes', () => {
      const servers: Server[] = [];
      const bases: Record<'cookie' | 'header', string> = { cookie: '', header: '' };

      beforeAll(async () => {
        for (const kind of ['cookie', 'header'] as const) {
          const app = createDemoApp(repo, kind === 'cookie' ? new CookieSessionIdResolver() : new HeaderSessionIdResolver());
          const server = app.listen(0, '127.0.0.1');
          await new Promise<void>((resolve) => server.once('listening', resolve));
          servers.push(server);
          bases[kind] = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        }
      });
      afterAll(async () => {
        for (const server of servers) await new Promise<void>((resolve) => server.close(() => resolve()));
      });

      it('hostile cookies, tokens and route ids: no 500, and no command reaches Redis', async () => {
        sent.length = 0;
        const headerSafe = (value: string) => value.replace(/[\r\n\u0000]/g, '').replace(/[^\x20-\xff]/g, '?');
        for (const value of HOSTILE) {
          const label = JSON.stringify(value.slice(0, 24));
          const encoded = encodeURIComponent(value.replace(/[\ud800-\udfff]/g, '\ufffd'));
          const cookie = await fetch(`${bases.cookie}/api/session`, { headers: { cookie: `SESSION=${encoded}; SESSION=${headerSafe(value)}; SESSION=%ff%fe` } });
          expect([200, 431], label).toContain(cookie.status);
          if (cookie.status === 200) expect((await cookie.json()).id, label).toBeNull();
          const token = await fetch(`${bases.header}/api/session`, { headers: { 'x-auth-token': headerSafe(value) } });
          expect([200, 431], label).toContain(token.status);
          const revoke = await fetch(`${bases.cookie}/api/sessions/${encoded || '%20'}`, { method: 'DELETE' });
          expect(revoke.status, label).toBeLessThan(500);
          const logout = await fetch(`${bases.cookie}/api/logout`, { method: 'POST', headers: { cookie: `SESSION=${encoded}` } });
          expect(logout.status, label).toBeLessThan(500);
        }
        expect(sent.map((command) => command.name)).toEqual([]);
        await victimIntact();
      });

      it('hostile principal names in the sessions query: literal lookups, empty answers', async () => {
        sent.length = 0;
        for (const value of [...HOSTILE.filter((v) => v !== ''), 'ali*']) {
          const encoded = encodeURIComponent(value.replace(/[\ud800-\udfff]/g, '\ufffd'));
          const listed = await fetch(`${bases.cookie}/api/sessions?principalName=${encoded}`);
          expect(listed.status).toBeLessThan(500);
          if (listed.status === 200) expect(await listed.json()).toEqual([]);
        }
        for (const command of sent) expect(PATTERN_COMMANDS.has(command.name), command.name).toBe(false);
        await victimIntact();
      });

      it('keeps all of 50 concurrent attribute writes on one session', async () => {
        const first = await fetch(`${bases.cookie}/api/session/attributes/tenantId`, { method: 'PUT', body: '"concurrent"', headers: { 'content-type': 'application/json' } });
        expect(first.status).toBe(204);
        const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
        const statuses = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            fetch(`${bases.cookie}/api/session/attributes/draft:form-${i}`, {
              method: 'PUT',
              body: JSON.stringify(`draft ${i}`),
              headers: { cookie, 'content-type': 'application/json' },
            }).then((response) => response.status),
          ),
        );
        expect(statuses).toEqual(Array(50).fill(204));
        const { attributes } = await (await fetch(`${bases.cookie}/api/session`, { headers: { cookie } })).json();
        expect(Object.keys(attributes).filter((name) => name.startsWith('draft:'))).toHaveLength(50);
        for (let i = 0; i < 50; i++) expect(attributes[`draft:form-${i}`]).toBe(`draft ${i}`);
        expect(attributes.tenantId).toBe('concurrent');
      });
    });
  });
}

