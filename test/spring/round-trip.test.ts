/**
 * Round trips against real Spring Session (3.4, Lettuce, the PostgreSQL JDBC driver): a Java
 * program of the tests' own (test/spring/java/) and sessiongen's Spring stores share sessions in
 * the machine's Redis (a namespace of this run's own) and PostgreSQL (tables of this run's own).
 * The Java side is configured with the code generated/spring/LAYOUT.md tells Java apps to paste.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionEvent } from '@sessiongen/runtime';
import { sessionMiddleware } from '@sessiongen/runtime/express';
import { SPRING_PRINCIPAL_NAME_INDEX_NAME, springExpiresKey, springExpirationsZsetKey, springMember, type SpringJdbcSessionStore, type SpringRedisSessionStore } from '@sessiongen/runtime/spring';
import { AppSessionRepository } from '../../generated/index.js';
import { POSTGRES_URL } from '../sql/live.js';
import { keysUnder } from '../redis/helpers.js';
import { buildJavaProgram, describeBuild, JavaProgram } from './java-program.js';
import { openSpringJdbc, openSpringRedis, type OpenedSpringRedis } from './subjects.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const PRINCIPAL = SPRING_PRINCIPAL_NAME_INDEX_NAME;
const JDBC_URL = (() => {
  const url = new URL(POSTGRES_URL);
  return `jdbc:postgresql://${url.hostname}:${url.port || 5432}${url.pathname}?user=${decodeURIComponent(url.username)}${url.password ? `&password=${decodeURIComponent(url.password)}` : ''}`;
})();

/** Every attribute the schema declares, with values of each JSON kind. */
const declared = (principal: string) => ({
  principalName: principal,
  tenantId: 'acme-eu',
  roles: ['admin', 'ops'],
  cart: [{ sku: 'ABC-123', quantity: 2, unitPriceCents: 1999, note: 'gift — “wrap” ✓ 𝄞' }],
  locale: 'fr-FR',
  lastLoginAt: 1_700_000_000_123,
  'draft:letter': 'Dear Ann, é 𝄞',
});
/** The same attributes under the names Spring keeps them (the principal under Spring's principal attribute). */
const asJava = (attributes: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name === 'principalName' ? PRINCIPAL : name, value]));

interface JavaSession {
  id: string;
  creationTime: number;
  lastAccessedTime: number;
  maxInactiveInterval: number;
  attributes: Record<string, unknown>;
  types: Record<string, string>;
}
interface JavaEvent {
  repo: string;
  type: 'created' | 'deleted' | 'expired';
  id: string;
  attributes?: string[];
}

let java: JavaProgram;
const javaEvents: JavaEvent[] = [];
const user = () => `user-${Math.random().toString(36).slice(2, 10)}`;

const javaFind = async (repo: string, id: string) => (await java.send<{ session: JavaSession | null }>({ op: 'find', repo, id })).session;
const javaCreate = async (repo: string, command: Record<string, unknown>) => (await java.send<{ id: string }>({ op: 'create', repo, ...command })).id;
const javaByPrincipal = async (repo: string, principal: string) => (await java.send<{ ids: string[] }>({ op: 'byPrincipal', repo, principal })).ids;
/** Waits (up to 10 s) for the Java program to have seen an event. */
async function javaEvent(repo: string, type: JavaEvent['type'], id: string): Promise<JavaEvent> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    javaEvents.push(...(await java.send<{ events: JavaEvent[] }>({ op: 'events' })).events);
    const found = javaEvents.find((event) => event.repo === repo && event.type === type && event.id === id);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no Spring ${type} event for ${id} on ${repo}; seen: ${JSON.stringify(javaEvents.slice(-10))}`);
    await sleep(100);
  }
}

beforeAll(async () => {
  const report = await buildJavaProgram();
  // The build's cost, in the test output of every run.
  console.log(`sessiongen: ${describeBuild(report)}`);
  java = await JavaProgram.start();
}, 900_000);

afterAll(async () => {
  await java?.stop();
}, 30_000);

/** One store kind shared with Spring: how each side opens it, and how expiry is made to show now. */
interface Shared {
  store: SpringRedisSessionStore | SpringJdbcSessionStore;
  javaRepo: string;
  /** Makes an expiry that is due visible to both sides' listeners now (Redis: touch the shadow key; SQL: cleanup). */
  expireNow(id: string): Promise<void>;
  /** What the store holds for one session, with its id, principal and times replaced by placeholders, to compare the two sides' writes. */
  stored(id: string, principal: string): Promise<unknown>;
  close(): Promise<void>;
}

const KINDS: Array<[string, () => Promise<Shared>]> = [
  [
    'Redis (RedisIndexedSessionRepository)',
    async () => {
      const opened = await openSpringRedis({ repository: 'indexed', expirations: 'minute' });
      await java.send({ op: 'open', name: 'redis', kind: 'redis-indexed', namespace: opened.namespace, listen: true });
      return {
        store: opened.store,
        javaRepo: 'redis',
        expireNow: async (id) => void (await opened.client.exists(springExpiresKey(opened.namespace, id))),
        stored: async (id, principal) => {
          const shape = (text: string) => text.replaceAll(id, '<id>').replaceAll(principal, '<principal>').replace(/:expirations:\d+$/, ':expirations:<minute>');
          const keys = (await keysUnder(opened.client, opened.namespace)).filter((key) => key.includes(id) || key.includes(principal) || /:expirations:\d+$/.test(key));
          const contents: Record<string, unknown> = {};
          for (const key of keys) {
            const type = await opened.client.type(key);
            const ttl = await opened.client.pttl(key);
            const value =
              type === 'hash'
                ? Object.fromEntries(Object.entries(await opened.client.hgetall(key)).map(([field, text]) => [field, /Time$/.test(field) ? '<ms>' : shape(text)]))
                : type === 'set'
                  ? (await opened.client.smembers(key)).filter((member) => member.includes(id)).map(shape)
                  : await opened.client.get(key);
            if (Array.isArray(value) && value.length === 0) continue;
            // TTLs to the minute (Spring's first member of a minute bucket leaves it without one: not compared).
            contents[shape(key)] = { type, value, ttl: /:expirations:/.test(key) ? 'n/a' : ttl < 0 ? ttl : Math.round(ttl / 60_000) };
          }
          return contents;
        },
        close: opened.close,
      };
    },
  ],
  [
    'PostgreSQL (JdbcIndexedSessionRepository)',
    async () => {
      const opened = await openSpringJdbc('postgres');
      await java.send({ op: 'open', name: 'jdbc', kind: 'jdbc', url: JDBC_URL, table: opened.table });
      return {
        store: opened.store,
        javaRepo: 'jdbc',
        expireNow: async () => void (await opened.store.cleanupExpired()),
        stored: async (id) => {
          const t = opened.table;
          const session = (await opened.knex.raw(`SELECT SESSION_ID, CREATION_TIME, LAST_ACCESS_TIME, MAX_INACTIVE_INTERVAL, EXPIRY_TIME, PRINCIPAL_NAME FROM ${t} WHERE SESSION_ID = ?`, [id])).rows[0];
          const attributes = (
            await opened.knex.raw(`SELECT A.ATTRIBUTE_NAME, A.ATTRIBUTE_BYTES FROM ${t}_ATTRIBUTES A JOIN ${t} S ON S.PRIMARY_ID = A.SESSION_PRIMARY_ID WHERE S.SESSION_ID = ? ORDER BY A.ATTRIBUTE_NAME`, [id])
          ).rows.map((row: { attribute_name: string; attribute_bytes: Buffer }) => [row.attribute_name, row.attribute_bytes.toString('hex')]);
          return {
            principal: session.principal_name === null ? null : '<principal>',
            interval: session.max_inactive_interval,
            expiryIsLastAccessPlusInterval: Number(session.expiry_time) === Number(session.last_access_time) + session.max_inactive_interval * 1000,
            attributes: attributes.map(([name, hex]: [string, string]) => [name, name === PRINCIPAL ? '<principal>' : hex]),
          };
        },
        close: opened.close,
      };
    },
  ],
];

for (const [kind, open] of KINDS) {
  describe(`sharing sessions with Spring Session on ${kind}`, () => {
    let shared: Shared;
    let repo: AppSessionRepository;
    let J: string;
    const events: SessionEvent[] = [];
    beforeAll(async () => {
      shared = await open();
      J = shared.javaRepo;
      repo = new AppSessionRepository(shared.store);
      for (const type of ['created', 'deleted', 'expired', 'invalid-attribute'] as const) repo.on(type, (event) => events.push(event));
    }, 120_000);
    afterAll(async () => shared?.close(), 60_000);

    it('Java writes, sessiongen reads every attribute the schema declares; Java objects and undeclared attributes stay hidden', async () => {
      const principal = user();
      const id = await javaCreate(J, { set: { ...asJava(declared(principal)), legacyCounter: 41 }, javaObjects: { profile: { name: 'Ann', level: 3 } } });
      const before = events.length;
      const session = await repo.findById(id);
      expect(session).not.toBeNull();
      expect(session!.attributesSnapshot()).toEqual(declared(principal));
      expect(session!.get('lastLoginAt')).toBe(1_700_000_000_123);
      expect(session!.get('cart')![0]!.quantity).toBe(2);
      expect(session!.maxInactiveInterval).toBe(1800);
      expect(events.slice(before).filter((event) => event.type === 'invalid-attribute')).toEqual([]);
      const javaView = (await javaFind(J, id))!;
      expect(session!.creationTime).toBe(javaView.creationTime);
      expect(session!.lastAccessedTime).toBe(javaView.lastAccessedTime);
    });

    it('sessiongen writes what Spring writes: the same keys or rows, fields, members, TTLs and value bytes', async () => {
      const attributes = { tenantId: 'acme-eu', roles: ['admin', 'ops'], cart: [{ sku: 'ABC-1', quantity: 1, unitPriceCents: 5, note: 'é 𝄞' }], lastLoginAt: 1_700_000_000_123 };
      const javaPrincipal = user();
      const nodePrincipal = user();
      const javaId = await javaCreate(J, { set: { ...attributes, [PRINCIPAL]: javaPrincipal } });
      const node = repo.createSession().set('principalName', nodePrincipal);
      for (const [name, value] of Object.entries(attributes)) node.set(name as never, value as never);
      await repo.save(node);
      const javaStored = await shared.stored(javaId, javaPrincipal);
      expect(javaStored).not.toEqual({});
      expect(await shared.stored(node.id, nodePrincipal)).toEqual(javaStored);
    });

    it('sessiongen writes, Java reads every attribute as the Java types a Spring app expects', async () => {
      const principal = user();
      const session = repo.createSession();
      for (const [name, value] of Object.entries(declared(principal))) session.set(name as never, value as never);
      await repo.save(session);
      const found = (await javaFind(J, session.id))!;
      expect(found.attributes).toEqual(asJava(declared(principal)));
      expect(found.types).toEqual({
        [PRINCIPAL]: 'java.lang.String',
        tenantId: 'java.lang.String',
        roles: 'java.util.ArrayList<java.lang.String>',
        cart: 'java.util.ArrayList<java.util.LinkedHashMap<java.lang.String>>',
        locale: 'java.lang.String',
        lastLoginAt: 'java.lang.Long',
        'draft:letter': 'java.lang.String',
      });
      expect(found.creationTime).toBe(session.creationTime);
      expect(found.lastAccessedTime).toBe(session.lastAccessedTime);
      expect(found.maxInactiveInterval).toBe(1800);
    });

    it('a sessiongen save never deletes or rewrites what it did not change: Java objects and undeclared attributes survive', async () => {
      const id = await javaCreate(J, { set: { tenantId: 'before', legacyCounter: 41, legacyMap: { a: [1, 2] } }, javaObjects: { profile: { name: 'Ann', level: 3 } } });
      const session = (await repo.findById(id))!;
      expect(session.attributeNames()).toEqual(['tenantId']);
      session.set('tenantId', 'after').set('roles', ['x']);
      session.lastAccessedTime = Date.now();
      expect(await repo.save(session)).toBe('saved');
      const found = (await javaFind(J, id))!;
      expect(found.attributes).toEqual({ tenantId: 'after', roles: ['x'], legacyCounter: 41, legacyMap: { a: [1, 2] }, profile: { name: 'Ann', level: 3 } });
      expect(found.types.profile).toBe('Profile');
      expect(found.types.legacyCounter).toBe('java.lang.Integer');
    });

    it('each finds the other side\'s sessions by principal name', async () => {
      const principal = user();
      const javaId = await javaCreate(J, { set: { [PRINCIPAL]: principal, tenantId: 'from-java' } });
      const node = repo.createSession().set('principalName', principal).set('tenantId', 'from-node');
      await repo.save(node);
      const found = await repo.findByPrincipalName(principal);
      expect([...found.keys()].sort()).toEqual([javaId, node.id].sort());
      expect(found.get(javaId)!.get('tenantId')).toBe('from-java');
      expect(await javaByPrincipal(J, principal)).toEqual([javaId, node.id].sort());
    });

    it('a delete on one side is seen by the other', async () => {
      const principal = user();
      const javaId = await javaCreate(J, { set: { [PRINCIPAL]: principal } });
      const node = repo.createSession().set('principalName', principal);
      await repo.save(node);
      await repo.deleteById(javaId);
      expect(await javaFind(J, javaId)).toBeNull();
      await java.send({ op: 'delete', repo: J, id: node.id });
      expect(await repo.findById(node.id)).toBeNull();
      expect([...(await repo.findByPrincipalName(principal)).keys()]).toEqual([]);
      expect(await javaByPrincipal(J, principal)).toEqual([]);
      if (J === 'redis') await javaEvent(J, 'deleted', javaId);
    });

    it('an id change on one side is followed by the other', async () => {
      const principal = user();
      const node = repo.createSession().set('principalName', principal).set('tenantId', 'moving');
      await repo.save(node);
      const oldId = node.id;
      node.changeSessionId();
      await repo.save(node);
      expect(await javaFind(J, oldId)).toBeNull();
      expect((await javaFind(J, node.id))!.attributes.tenantId).toBe('moving');
      expect(await javaByPrincipal(J, principal)).toEqual([node.id]);
      const stale = (await repo.findById(node.id))!;
      const { id: javaNewId } = await java.send<{ id: string }>({ op: 'update', repo: J, id: node.id, changeId: true, set: { tenantId: 'moved-by-java' } });
      expect(javaNewId).not.toBe(node.id);
      expect(await repo.findById(node.id)).toBeNull();
      // A Java id change leaves no marker: a copy loaded before it saves nothing, as a second Java app's would.
      expect(await repo.save(stale.set('draft:stale', 'lost'))).toBe('gone');
      expect(await repo.findByIdOrMoved(node.id)).toBeNull();
      expect((await repo.findById(javaNewId))!.get('tenantId')).toBe('moved-by-java');
      expect([...(await repo.findByPrincipalName(principal)).keys()]).toEqual([javaNewId]);
    });

    it('an expiry is seen by both sides, and both sides\' expired events fire', async () => {
      const node = repo.createSession().set('tenantId', 'short');
      node.maxInactiveInterval = 1;
      await repo.save(node);
      const javaId = await javaCreate(J, { maxInactiveInterval: 1, set: { tenantId: 'short' } });
      expect((await javaFind(J, node.id))!.maxInactiveInterval).toBe(1);
      expect((await repo.findById(javaId))!.maxInactiveInterval).toBe(1);
      await sleep(1_300);
      await shared.expireNow(node.id);
      await shared.expireNow(javaId);
      expect(await repo.findById(node.id)).toBeNull();
      expect(await repo.findById(javaId)).toBeNull();
      expect(await javaFind(J, node.id)).toBeNull();
      expect(await javaFind(J, javaId)).toBeNull();
      // sessiongen hears both expiries (Redis: keyspace events; SQL: its cleanup deleted both rows).
      const deadline = Date.now() + 10_000;
      const expired = () => events.filter((event) => event.type === 'expired').map((event) => event.sessionId);
      while (!(expired().includes(node.id) && expired().includes(javaId)) && Date.now() < deadline) await sleep(100);
      expect(expired()).toEqual(expect.arrayContaining([node.id, javaId]));
      // Spring JDBC publishes no session events; Spring's Redis repository does.
      if (J === 'jdbc') return;
      // Spring's own SessionExpiredEvent fires for the session sessiongen wrote, with its attributes.
      expect((await javaEvent(J, 'expired', node.id)).attributes).toEqual(['tenantId']);
      await javaEvent(J, 'expired', javaId);
    }, 30_000);

    it('concurrent writes of different attributes from both sides are all kept', async () => {
      const node = repo.createSession().set('principalName', user());
      await repo.save(node);
      const copies = await Promise.all(Array.from({ length: 10 }, () => repo.findById(node.id)));
      const javaSide = java.send({ op: 'parallel', repo: J, id: node.id, sets: Array.from({ length: 10 }, (_, i) => ({ [`draft:j${i}`]: `java ${i}` })) });
      const nodeSide = Promise.all(copies.map((copy, i) => repo.save(copy!.set(`draft:n${i}`, `node ${i}`))));
      const [, outcomes] = await Promise.all([javaSide, nodeSide]);
      expect(outcomes).toEqual(Array(10).fill('saved'));
      const found = (await repo.findById(node.id))!;
      const javaView = (await javaFind(J, node.id))!;
      for (let i = 0; i < 10; i++) {
        expect(found.get(`draft:j${i}`)).toBe(`java ${i}`);
        expect(found.get(`draft:n${i}`)).toBe(`node ${i}`);
        expect(javaView.attributes[`draft:j${i}`]).toBe(`java ${i}`);
        expect(javaView.attributes[`draft:n${i}`]).toBe(`node ${i}`);
      }
    }, 30_000);

    it('the same cookie: Spring\'s base64 SESSION cookie names the session on both sides', async () => {
      const app = express();
      app.use(sessionMiddleware({ repository: repo }));
      app.put('/tenant/:value', async (req, res) => {
        (await req.session.get()).set('tenantId', String(req.params.value));
        res.status(204).end();
      });
      app.get('/tenant', async (req, res) => res.json({ tenantId: (await req.session.find())?.get('tenantId') ?? null }));
      const server = app.listen(0);
      await new Promise((resolve) => server.once('listening', resolve));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      try {
        const put = await fetch(`${base}/tenant/from-node`, { method: 'PUT' });
        const cookie = put.headers.get('set-cookie')!;
        expect(cookie).toMatch(/^SESSION=[A-Za-z0-9+/]{48}; Path=\/; HttpOnly; SameSite=Lax$/);
        const id = Buffer.from(cookie.slice('SESSION='.length, cookie.indexOf(';')), 'base64').toString('utf8');
        expect((await javaFind(J, id))!.attributes.tenantId).toBe('from-node');
        const javaId = await javaCreate(J, { set: { tenantId: 'from-java' } });
        const get = await fetch(`${base}/tenant`, { headers: { cookie: `SESSION=${Buffer.from(javaId).toString('base64')}` } });
        expect(await get.json()).toEqual({ tenantId: 'from-java' });
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });

    if (kind.startsWith('Redis')) {
      it('Spring\'s SessionCreatedEvent fires for a session sessiongen created', async () => {
        const node = repo.createSession().set('tenantId', 'created');
        await repo.save(node);
        expect((await javaEvent(J, 'created', node.id)).attributes).toEqual(['tenantId']);
      });
    }
  });
}

describe('values sessiongen refuses: Spring\'s defaults and Jackson type ids', () => {
  const opened: Array<{ close(): Promise<void> }> = [];
  afterAll(async () => {
    for (const each of opened) await each.close();
  }, 60_000);

  it('Redis with GenericJackson2JsonRedisSerializer(): typed values are hidden and reported naming the bean; a save keeps them', async () => {
    const redis = await openSpringRedis();
    opened.push(redis);
    await java.send({ op: 'open', name: 'redis-typed', kind: 'redis-indexed', namespace: redis.namespace, serializer: 'typed' });
    const repo = new AppSessionRepository(redis.store);
    const reported: SessionEvent[] = [];
    repo.on('invalid-attribute', (event) => reported.push(event));
    const id = await javaCreate('redis-typed', { set: { tenantId: 'typed', roles: ['admin'], legacyMap: { a: 1 } } });
    const session = (await repo.findById(id))!;
    expect(session.attributesSnapshot()).toEqual({ tenantId: 'typed' });
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatchObject({ sessionId: id, attribute: 'roles' });
    expect(reported[0]!.reason).toMatch(/attribute 'roles' .* carries the Java type id 'java\.util\.ArrayList'.*springSessionDefaultRedisSerializer bean/);
    session.set('tenantId', 'retyped');
    await repo.save(session);
    const javaView = (await javaFind('redis-typed', id))!;
    expect(javaView.attributes).toEqual({ tenantId: 'retyped', roles: ['admin'], legacyMap: { a: 1 } });
    expect(javaView.types.roles).toBe('java.util.ArrayList<java.lang.String>');
  });

  it('Redis with Spring\'s default (Java serialization): the load fails with an error naming the bean, never a crash', async () => {
    const redis = await openSpringRedis();
    opened.push(redis);
    await java.send({ op: 'open', name: 'redis-jdk', kind: 'redis-indexed', namespace: redis.namespace, serializer: 'jdk' });
    const repo = new AppSessionRepository(redis.store);
    const id = await javaCreate('redis-jdk', { set: { tenantId: 'serialized' } });
    await expect(repo.findById(id)).rejects.toThrow(/session \S+ keeps its times .*Java serialization.*springSessionDefaultRedisSerializer bean/);
  });

  it('JDBC with Spring\'s default conversion (Java serialization): each attribute hidden and reported naming the bean; a save keeps them', async () => {
    const jdbc = await openSpringJdbc('postgres');
    opened.push(jdbc);
    await java.send({ op: 'open', name: 'jdbc-jdk', kind: 'jdbc', url: JDBC_URL, table: jdbc.table, conversion: 'jdk' });
    await java.send({ op: 'open', name: 'jdbc-json', kind: 'jdbc', url: JDBC_URL, table: jdbc.table });
    const repo = new AppSessionRepository(jdbc.store);
    const reported: SessionEvent[] = [];
    repo.on('invalid-attribute', (event) => reported.push(event));
    const id = await javaCreate('jdbc-jdk', { set: { tenantId: 'serialized', roles: ['admin'], legacy: 1 } });
    const session = (await repo.findById(id))!;
    expect(session.attributeNames()).toEqual([]);
    expect(reported.map((event) => event.attribute).sort()).toEqual(['roles', 'tenantId']);
    for (const event of reported) expect(event.reason).toMatch(/is Java serialization .*springSessionConversionService bean/);
    session.set('locale', 'de-DE');
    await repo.save(session);
    // The codec of generated/spring/LAYOUT.md reads both: the Java-serialized values are intact beside sessiongen's JSON.
    expect((await javaFind('jdbc-json', id))!.attributes).toEqual({ tenantId: 'serialized', roles: ['admin'], legacy: 1, locale: 'de-DE' });
  });
});

describe('RedisSessionRepository (the plain flavour) and the sorted-set expiry store', () => {
  let plain: OpenedSpringRedis;
  let zset: OpenedSpringRedis;
  beforeAll(async () => {
    plain = await openSpringRedis({ repository: 'plain' });
    zset = await openSpringRedis({ repository: 'indexed', expirations: 'sorted-set' });
    await java.send({ op: 'open', name: 'redis-plain', kind: 'redis-plain', namespace: plain.namespace });
    await java.send({ op: 'open', name: 'redis-zset', kind: 'redis-indexed', namespace: zset.namespace, expirations: 'sorted-set' });
  }, 60_000);
  afterAll(async () => {
    await plain?.close();
    await zset?.close();
  }, 60_000);

  it('plain: both directions, deletes, expiry; a principal lookup is refused clearly (Spring keeps no index there)', async () => {
    const repo = new AppSessionRepository(plain.store);
    const principal = user();
    const javaId = await javaCreate('redis-plain', { set: asJava(declared(principal)) });
    expect((await repo.findById(javaId))!.attributesSnapshot()).toEqual(declared(principal));
    const node = repo.createSession();
    for (const [name, value] of Object.entries(declared(principal))) node.set(name as never, value as never);
    await repo.save(node);
    expect((await javaFind('redis-plain', node.id))!.attributes).toEqual(asJava(declared(principal)));
    expect(await plain.client.pttl(`${plain.namespace}:sessions:${node.id}`)).toBeGreaterThan(1_790_000);
    await repo.deleteById(javaId);
    expect(await javaFind('redis-plain', javaId)).toBeNull();
    await java.send({ op: 'delete', repo: 'redis-plain', id: node.id });
    expect(await repo.findById(node.id)).toBeNull();
    await expect(repo.findByPrincipalName(principal)).rejects.toThrow(/RedisSessionRepository .* keeps no index/);
    const short = await javaCreate('redis-plain', { maxInactiveInterval: 1, set: { tenantId: 'short' } });
    expect(await repo.findById(short)).not.toBeNull();
    await sleep(1_300);
    expect(await repo.findById(short)).toBeNull();
    expect(await javaFind('redis-plain', short)).toBeNull();
  });

  it('sorted set: sessiongen scores its sessions as Spring does, and Spring\'s cleanup and delete read its members', async () => {
    const repo = new AppSessionRepository(zset.store);
    const node = repo.createSession().set('tenantId', 'scored');
    await repo.save(node);
    const key = springExpirationsZsetKey(zset.namespace);
    expect(Number(await zset.client.zscore(key, springMember(node.id)))).toBe(node.lastAccessedTime + 1_800_000);
    await java.send({ op: 'update', repo: 'redis-zset', id: node.id, set: { roles: ['java'] } });
    const rescored = Number(await zset.client.zscore(key, springMember(node.id)));
    expect(rescored).toBeGreaterThanOrEqual(node.lastAccessedTime + 1_800_000);
    await java.send({ op: 'cleanup', repo: 'redis-zset' });
    expect((await repo.findById(node.id))!.attributesSnapshot()).toEqual({ tenantId: 'scored', roles: ['java'] });
    // Spring's delete saves the session once more with a timeout of 0: its member stays, scored at the deletion.
    await java.send({ op: 'delete', repo: 'redis-zset', id: node.id });
    expect(Number(await zset.client.zscore(key, springMember(node.id)))).toBeLessThanOrEqual(Date.now());
    expect(await repo.findById(node.id)).toBeNull();
    const javaId = await javaCreate('redis-zset', { set: { tenantId: 'from-java' } });
    expect(await zset.client.zscore(key, springMember(javaId))).not.toBeNull();
    expect((await repo.findById(javaId))!.get('tenantId')).toBe('from-java');
    await repo.deleteById(javaId);
    expect(await zset.client.zscore(key, springMember(javaId))).toBeNull();
    expect(await javaFind('redis-zset', javaId)).toBeNull();
  });
});
