import { describe, expect, it } from 'vitest';
import { SessionRepository } from '../../runtime/core/repository.js';
import { SessionEndedError, SessionMovedError, SessionStoreError } from '../../runtime/core/errors.js';
import { CookieSessionIdResolver } from '../../runtime/web/cookie-resolver.js';
import { resolverRequestFromRecord, type SessionIdResolver } from '../../runtime/web/id-resolver.js';
import { uuidSessionIdGenerator } from '../../runtime/core/ids.js';
import { RequestSession, SessionStoreUnavailableError } from '../../runtime/web/request-session.js';
import { fixtureDescriptor, type FixtureAttributes } from './fixture-descriptor.js';
import { RecordingStore } from './helpers.js';

function setUp() {
  const store = new RecordingStore();
  let now = 1_000_000;
  const repository = new SessionRepository<FixtureAttributes>(fixtureDescriptor, store, { clock: () => now });
  const resolver = new CookieSessionIdResolver();
  const forRequest = (cookie?: string) =>
    new RequestSession({
      repository,
      resolver,
      request: resolverRequestFromRecord(cookie === undefined ? {} : { cookie }, false),
    });
  const advance = (ms: number) => (now += ms);
  return { store, repository, forRequest, advance };
}

async function existing(setup: ReturnType<typeof setUp>, counter = 1) {
  const session = setup.repository.createSession();
  session.set('counter', counter);
  await setup.repository.save(session);
  setup.store.calls.length = 0;
  return session.id;
}

describe('RequestSession', () => {
  it('is lazy: commit without any call touches no store and returns no headers', async () => {
    const setup = setUp();
    const id = await existing(setup);
    const rs = setup.forRequest(`SESSION=${id}`);
    expect(rs.touched).toBe(false);
    expect(rs.requestedSessionIds).toEqual([id]);
    expect(await rs.commit()).toEqual([]);
    expect(setup.store.calls).toEqual([]);
  });

  it('loads at most once, even for concurrent calls, and sets lastAccessedTime on access', async () => {
    const setup = setUp();
    const id = await existing(setup);
    setup.advance(5000);
    const rs = setup.forRequest(`SESSION=${id}`);
    const [a, b, c] = await Promise.all([rs.get(), rs.find(), rs.get()]);
    expect(a).toBe(b);
    expect(b).toBe(c);
    expect(a.lastAccessedTime).toBe(1_005_000);
    expect(setup.store.calls).toEqual([{ op: 'load', id }]);
    expect(rs.touched).toBe(true);
    expect(await rs.commit()).toEqual([]);
    expect(setup.store.calls.map((call) => call.op)).toEqual(['load', 'write']);
    expect((await setup.store.inner.load(id))!.lastAccessedTime).toBe(1_005_000);
  });

  it('an unknown requested id is looked up once per request, not again on every call', async () => {
    const setup = setUp();
    const unknown = '0d8f5d0e-3b7e-4c39-9d46-1f2a3b4c5d6e';
    const rs = setup.forRequest(`SESSION=${unknown}`);
    expect(await rs.find()).toBeNull();
    expect(await rs.find()).toBeNull();
    const created = await rs.get();
    expect(created.id).not.toBe(unknown);
    expect(setup.store.calls).toEqual([
      { op: 'load', id: unknown },
      { op: 'isMoved', id: unknown },
    ]);
  });

  it('find() gives null without creating; get() creates; commit writes the cookie for the new id', async () => {
    const setup = setUp();
    const rs = setup.forRequest();
    expect(await rs.find()).toBeNull();
    const session = await rs.get();
    expect(session.isNew).toBe(true);
    const headers = await rs.commit();
    expect(headers).toEqual([{ name: 'Set-Cookie', value: `SESSION=${session.id}; Path=/; HttpOnly; SameSite=Lax` }]);
    expect(await setup.store.inner.load(session.id)).not.toBeNull();
  });

  it('commit() twice returns the same result and saves once', async () => {
    const setup = setUp();
    const rs = setup.forRequest();
    (await rs.get()).set('counter', 3);
    const first = rs.commit();
    expect(rs.commit()).toBe(first);
    await first;
    expect(setup.store.calls.filter((call) => call.op === 'write')).toHaveLength(1);
  });

  it('invalidate deletes now, expires on commit, and a later get() is a new session', async () => {
    const setup = setUp();
    const id = await existing(setup, 5);
    const rs = setup.forRequest(`SESSION=${id}`);
    await rs.invalidate();
    expect(await setup.store.inner.load(id)).toBeNull();
    expect(rs.invalidated).toBe(true);
    expect(await rs.find()).toBeNull();
    const fresh = await rs.get();
    expect(fresh.id).not.toBe(id);
    expect(fresh.get('counter')).toBeUndefined();
    expect(await rs.commit()).toEqual([{ name: 'Set-Cookie', value: `SESSION=${fresh.id}; Path=/; HttpOnly; SameSite=Lax` }]);
  });

  it('invalidate without a session still clears the cookie', async () => {
    const setup = setUp();
    const rs = setup.forRequest('SESSION=0d8f5d0e-3b7e-4c39-9d46-1f2a3b4c5d6e');
    await rs.invalidate();
    expect(setup.store.calls.map((call) => call.op)).toEqual(['load', 'isMoved']);
    expect((await rs.commit())[0].value).toMatch(/^SESSION=; Max-Age=0;/);
  });

  it('invalidate after changeSessionId deletes the id the store holds', async () => {
    const setup = setUp();
    const id = await existing(setup);
    const rs = setup.forRequest(`SESSION=${id}`);
    const newId = await rs.changeSessionId();
    expect(newId).not.toBe(id);
    await rs.invalidate();
    expect(setup.store.calls).toEqual([{ op: 'load', id }, { op: 'delete', id }]);
    expect(setup.store.inner.size).toBe(0);
  });

  it('changeSessionId moves the session on commit and writes the new cookie', async () => {
    const setup = setUp();
    const id = await existing(setup, 9);
    const rs = setup.forRequest(`SESSION=${id}`);
    const newId = await rs.changeSessionId();
    expect((await rs.get()).id).toBe(newId);
    const headers = await rs.commit();
    expect(headers[0].value.startsWith(`SESSION=${newId};`)).toBe(true);
    expect(await setup.store.inner.load(id)).toBeNull();
    expect((await setup.store.inner.load(newId))!.attributes).toEqual({ counter: 9 });
  });

  it('save() saves early; commit then writes only the cookie', async () => {
    const setup = setUp();
    const rs = setup.forRequest();
    const session = await rs.get();
    session.set('counter', 1);
    await rs.save();
    expect((await setup.store.inner.load(session.id))!.attributes).toEqual({ counter: 1 });
    const headers = await rs.commit();
    expect(headers).toHaveLength(1);
    expect(setup.store.calls.filter((call) => call.op === 'write')).toHaveLength(1);
  });

  it("a save outcome of 'gone' does not resurrect the session: commit rejects with SessionEndedError, and no session is made after", async () => {
    const setup = setUp();
    const id = await existing(setup);
    const rs = setup.forRequest(`SESSION=${id}`);
    const session = await rs.get();
    await setup.repository.deleteById(id);
    session.set('counter', 2);
    await expect(rs.commit()).rejects.toBeInstanceOf(SessionEndedError);
    expect(rs.conflict).toBeInstanceOf(SessionEndedError);
    await expect(rs.get()).rejects.toBeInstanceOf(SessionEndedError);
    expect(await setup.store.inner.load(id)).toBeNull();
  });

  it('a request under an id another request changed: SessionMovedError from every call, nothing read, created or set', async () => {
    const setup = setUp();
    const id = await existing(setup);
    const login = setup.forRequest(`SESSION=${id}`);
    const newId = await login.changeSessionId();
    expect((await login.commit())[0].value).toMatch(new RegExp(`^SESSION=${newId};`));
    const late = setup.forRequest(`SESSION=${id}`);
    await expect(late.get()).rejects.toBeInstanceOf(SessionMovedError);
    await expect(late.find()).rejects.toBeInstanceOf(SessionMovedError);
    await expect(late.invalidate()).rejects.toBeInstanceOf(SessionMovedError);
    await expect(late.changeSessionId()).rejects.toBeInstanceOf(SessionMovedError);
    expect(late.peek()).toBeNull();
    const error = await late.commit().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(SessionMovedError);
    expect(error).toMatchObject({ status: 409, statusCode: 409, retryAfterSeconds: 1, reason: 'moved' });
    expect(setup.store.inner.size).toBe(1);
    expect(await setup.store.inner.load(newId)).not.toBeNull();
  });

  it('a request that loaded the session before another changed its id: its save lands under the new id, no header', async () => {
    const setup = setUp();
    const id = await existing(setup);
    const racing = setup.forRequest(`SESSION=${id}`);
    (await racing.get()).set('counter', 7);
    const login = setup.forRequest(`SESSION=${id}`);
    const newId = await login.changeSessionId();
    await login.commit();
    expect(await racing.commit()).toEqual([]);
    expect((await setup.store.inner.load(newId))!.attributes).toEqual({ counter: 7 });
  });

  it('an id change that another beat: commit rejects with SessionMovedError and sets no header', async () => {
    const setup = setUp();
    const id = await existing(setup);
    const first = setup.forRequest(`SESSION=${id}`);
    const second = setup.forRequest(`SESSION=${id}`);
    await Promise.all([first.changeSessionId(), second.changeSessionId()]);
    expect(await first.commit()).toHaveLength(1);
    await expect(second.commit()).rejects.toBeInstanceOf(SessionMovedError);
  });

  it('creating a session after commit throws; finding still works', async () => {
    const setup = setUp();
    const rs = setup.forRequest();
    await rs.commit();
    await expect(rs.get()).rejects.toThrow(/after the response has been committed/);
    await expect(rs.changeSessionId()).rejects.toThrow(/after the response has been committed/);
    expect(await rs.find()).toBeNull();
  });

  it('a get() queued before commit still creates and is committed', async () => {
    const setup = setUp();
    const rs = setup.forRequest();
    const pending = rs.get();
    const headers = rs.commit();
    const session = await pending;
    expect((await headers)[0].value.startsWith(`SESSION=${session.id};`)).toBe(true);
  });

  it('tries candidates in order and stops at the first found', async () => {
    const setup = setUp();
    const id = await existing(setup);
    const unknown = '0d8f5d0e-3b7e-4c39-9d46-1f2a3b4c5d6e';
    const rs = setup.forRequest(`SESSION=junk; SESSION=${unknown}; SESSION=${id}; SESSION=${unknown.replace('0d', '1d')}`);
    expect((await rs.find())!.id).toBe(id);
    expect(setup.store.calls).toEqual([
      { op: 'load', id: unknown },
      { op: 'isMoved', id: unknown },
      { op: 'load', id },
    ]);
  });

  it('looks up at most 3 ids per request, whatever the resolver returns, skipping ids the generator could not have made', async () => {
    const setup = setUp();
    const id = await existing(setup);
    const unknown = Array.from({ length: 20 }, () => uuidSessionIdGenerator.generate());
    const everything: SessionIdResolver = { resolve: () => [...unknown, id], write: () => [], expire: () => [] };
    const rs = new RequestSession({ repository: setup.repository, resolver: everything, request: resolverRequestFromRecord({}, false) });
    expect(await rs.find()).toBeNull();
    // Each id tried is one load and, as it misses, one question whether it moved: 3 ids, no more.
    expect(setup.store.calls).toEqual(unknown.slice(0, 3).flatMap((tried) => [{ op: 'load', id: tried }, { op: 'isMoved', id: tried }]));

    setup.store.calls.length = 0;
    const junkFirst: SessionIdResolver = { resolve: () => [...Array.from({ length: 20 }, (_, i) => `junk-${i}`), id], write: () => [], expire: () => [] };
    const found = new RequestSession({ repository: setup.repository, resolver: junkFirst, request: resolverRequestFromRecord({}, false) });
    expect((await found.find())!.id).toBe(id);
    expect(setup.store.calls).toEqual([{ op: 'load', id }]);
  });

  it('wraps store failures as SessionStoreUnavailableError with status 503, and the next call retries', async () => {
    const setup = setUp();
    const id = await existing(setup);
    const rs = setup.forRequest(`SESSION=${id}`);
    setup.store.down = true;
    const error = await rs.get().then(
      () => null,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(SessionStoreUnavailableError);
    expect(error).toBeInstanceOf(SessionStoreError);
    expect((error as SessionStoreUnavailableError).status).toBe(503);
    expect((error as Error).message).toBe('memory store: load failed: connection refused (load)');
    setup.store.down = false;
    expect((await rs.get()).id).toBe(id);
  });
});
