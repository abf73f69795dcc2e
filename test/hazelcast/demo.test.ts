/**
 * The demo app on Hazelcast (what SESSION_STORE=hazelcast opens, examples/demo/stores/hazelcast.ts),
 * over a real socket, against the global-setup member: 50 concurrent attribute writes keep 50.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieSessionIdResolver } from 'sessiongen/runtime';
import { AppSessionRepository } from '../../generated/index.js';
import { createDemoApp } from '../../examples/demo/app.js';
import { openHazelcastStore } from '../../examples/demo/stores/hazelcast.js';

let server: Server;
let repository: AppSessionRepository;
let base: string;

beforeAll(async () => {
  repository = new AppSessionRepository(await openHazelcastStore(process.env));
  server = createDemoApp(repository, new CookieSessionIdResolver()).listen(0);
  await new Promise<void>((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await repository?.close();
});

async function send(cookie: string | undefined, method: string, path: string, body?: string) {
  const response = await fetch(base + path, {
    method,
    headers: { ...(cookie ? { cookie } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  return { status: response.status, cookie: response.headers.get('set-cookie')?.split(';')[0], json: text ? JSON.parse(text) : undefined };
}

describe('demo on hazelcast', () => {
  it('keeps all of 50 concurrent attribute writes on one session', async () => {
    const first = await send(undefined, 'PUT', '/api/session/attributes/tenantId', '"concurrent"');
    expect(first.status).toBe(204);
    const cookie = first.cookie!;
    expect(cookie).toMatch(/^SESSION=[0-9a-f-]{36}$/);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => send(cookie, 'PUT', `/api/session/attributes/draft:form-${i}`, JSON.stringify(`draft ${i}`))),
    );
    expect(results.map((result) => result.status)).toEqual(Array(50).fill(204));
    const { json } = await send(cookie, 'GET', '/api/session');
    const drafts = Object.keys(json.attributes).filter((name) => name.startsWith('draft:'));
    expect(drafts).toHaveLength(50);
    for (let i = 0; i < 50; i++) expect(json.attributes[`draft:form-${i}`]).toBe(`draft ${i}`);
    expect(json.attributes.tenantId).toBe('concurrent');
  });

  it('login changes the id and the principal index finds the session; logout deletes it', async () => {
    const principal = `demo-${Date.now()}`;
    const created = await send(undefined, 'PUT', '/api/session/attributes/tenantId', '"acme"');
    const login = await send(created.cookie, 'POST', '/api/login', JSON.stringify({ principalName: principal }));
    expect(login.status).toBe(200);
    const cookie = login.cookie!;
    expect(cookie).not.toBe(created.cookie);
    const listed = await send(cookie, 'GET', `/api/sessions?principalName=${principal}`);
    expect(listed.json.map((entry: { id: string }) => entry.id)).toEqual([login.json.id]);
    expect((await send(cookie, 'POST', '/api/logout')).status).toBe(204);
    expect((await send(undefined, 'GET', `/api/sessions?principalName=${principal}`)).json).toEqual([]);
  });
});
