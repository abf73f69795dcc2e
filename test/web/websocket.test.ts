/**
 * WebSocket keep-alive over real sockets (ws), on SQLite and Redis: messages keep the HTTP
 * session alive with at most one store write per interval; the socket closes with 1008 when the
 * session is deleted or expires (from events, or on the next message).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { AppSessionRepository } from '../../generated/index.js';
import { SESSION_CLOSE_CODE, SessionKeepAlive } from '@sessiongen/runtime/websocket';
import { openRealStore, InstrumentedStore, STORE_KINDS, type OpenedRealStore } from './stores.js';

/** A clock the test moves: the real time plus an offset (stores with native TTL stay ahead of expiry). */
function movableClock() {
  let offset = 0;
  const clock = () => Date.now() + offset;
  return { clock, advance: (ms: number) => void (offset += ms) };
}

interface Harness {
  url: string;
  keeper: SessionKeepAlive<ReturnType<AppSessionRepository['createSession']>>;
  repository: AppSessionRepository;
  store: InstrumentedStore;
  advance(ms: number): void;
  close(): Promise<void>;
}

async function harness(opened: OpenedRealStore, options: { touchIntervalMs?: number; checkEveryMessage?: boolean; touchInterval?: number }): Promise<Harness> {
  const { clock, advance } = movableClock();
  const store = new InstrumentedStore(opened.raw);
  const repository = new AppSessionRepository(store, { clock, maxInactiveInterval: 60, ...(options.touchInterval === undefined ? {} : { touchInterval: options.touchInterval }) });
  const keeper = new SessionKeepAlive({ repository, touchIntervalMs: options.touchIntervalMs, checkEveryMessage: options.checkEveryMessage });
  const wss = new WebSocketServer({ noServer: true });
  const server: Server = createServer((_req, res) => res.end());
  server.on('upgrade', async (req, socket, head) => {
    const session = await keeper.sessionFor(req);
    if (!session) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      keeper.track(ws, session.id, session);
      ws.on('message', (data) => ws.send(`echo ${String(data)}`));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    keeper,
    repository,
    store,
    advance,
    close: async () => {
      keeper.close();
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function newSession(repository: AppSessionRepository): Promise<string> {
  const session = repository.createSession();
  session.set('principalName', 'ws-user');
  await repository.save(session);
  return session.id;
}

function connect(url: string, id: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { cookie: `SESSION=${id}` } });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
  });
}

/** Sends a message and waits for its echo (so the keeper has seen it). */
function roundTrip(ws: WebSocket, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    ws.once('message', () => resolve());
    ws.once('close', () => reject(new Error('closed')));
    ws.send(text);
  });
}

function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
}

/** Lets the keeper's store calls for the last message finish. */
async function settle(keeper: Harness['keeper'], id: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const pending = (keeper as unknown as { tracked: Map<string, { pending: Promise<void> | null }> }).tracked.get(id)?.pending;
    if (!pending) return;
    await pending;
  }
}

for (const kind of STORE_KINDS) {
  describe(`WebSocket keep-alive on ${kind}`, () => {
    let opened: OpenedRealStore;
    beforeAll(async () => {
      opened = await openRealStore(kind);
    });
    afterAll(() => opened.close());

    it('refuses an upgrade without a live session', async () => {
      const h = await harness(opened, { touchIntervalMs: 10_000 });
      try {
        await expect(connect(h.url, crypto.randomUUID())).rejects.toThrow(/401/);
        expect(h.store.invalidIds).toEqual([]);
      } finally {
        await h.close();
      }
    });

    it('messages keep the session alive, with at most one store write per interval', async () => {
      const h = await harness(opened, { touchIntervalMs: 20_000, checkEveryMessage: false });
      try {
        const id = await newSession(h.repository);
        const ws = await connect(h.url, id);
        h.store.calls.length = 0;
        // 45 s of a 60 s timeout pass with messages: no write yet (interval 20 s not reached until 20 s).
        for (let step = 0; step < 9; step++) {
          h.advance(5_000);
          await roundTrip(ws, `m${step}`);
          await settle(h.keeper, id);
        }
        const writes = h.store.calls.filter((call) => call.op === 'write');
        // 45 s with a 20 s interval: writes at 20 s and 40 s, not one per message (9).
        expect(writes).toHaveLength(2);
        // 95 s after creation (timeout 60 s) the session lives on because of the write at 40 s.
        h.advance(50_000);
        expect(await h.repository.findById(id)).not.toBeNull();
        h.advance(6_000); // 101 s: 61 s after the last write, with no message since
        expect(await h.repository.findById(id)).toBeNull();
        ws.close();
      } finally {
        await h.close();
      }
    });

    it('takes the repository\'s touchInterval: 1,000 messages over 100 s write 3 times (every 30 s)', async () => {
      const h = await harness(opened, { touchInterval: 30, checkEveryMessage: false });
      try {
        expect(h.keeper.touchIntervalMs).toBe(30_000);
        const id = await newSession(h.repository);
        const ws = await connect(h.url, id);
        h.store.calls.length = 0;
        for (let i = 0; i < 1_000; i++) {
          h.advance(100);
          await roundTrip(ws, `m${i}`);
          await settle(h.keeper, id);
        }
        const writes = h.store.calls.filter((call) => call.op === 'write').length;
        console.log(`WebSocket keep-alive on ${kind}: store writes per 1000 messages (100 ms apart): ${writes} with touchInterval 30 s`);
        expect(writes).toBe(3);
        ws.close();
      } finally {
        await h.close();
      }
    }, 30_000);

    it('closes with 1008 when the session is deleted in this process (repository event)', async () => {
      const h = await harness(opened, { touchIntervalMs: 60_000 });
      try {
        const id = await newSession(h.repository);
        const a = await connect(h.url, id);
        const b = await connect(h.url, id);
        const other = await connect(h.url, await newSession(h.repository));
        const closes = [closed(a), closed(b)];
        await h.repository.deleteById(id);
        for (const result of await Promise.all(closes)) expect(result.code).toBe(SESSION_CLOSE_CODE);
        expect(other.readyState).toBe(WebSocket.OPEN);
        other.close();
      } finally {
        await h.close();
      }
    });

    it('a session revoked elsewhere (no event here) closes its socket with 1008 on the next message', async () => {
      const h = await harness(opened, { touchIntervalMs: 60_000, checkEveryMessage: true });
      try {
        const id = await newSession(h.repository);
        const ws = await connect(h.url, id);
        await roundTrip(ws, 'hello');
        await opened.raw.delete(id); // another process: the store, not this repository
        const result = closed(ws);
        ws.send('anyone there?');
        expect((await result).code).toBe(SESSION_CLOSE_CODE);
      } finally {
        await h.close();
      }
    });

    it('a session that expired closes its socket with 1008 on the next message', async () => {
      const h = await harness(opened, { touchIntervalMs: 60_000, checkEveryMessage: false });
      try {
        const id = await newSession(h.repository);
        const ws = await connect(h.url, id);
        h.advance(61_000); // past the 60 s timeout with no message
        const result = closed(ws);
        ws.send('late');
        expect((await result).code).toBe(SESSION_CLOSE_CODE);
        expect(h.keeper.socketsOf(id)).toBe(0);
      } finally {
        await h.close();
      }
    });
  });
}

describe('WebSocket keep-alive: expiry events from the store', () => {
  it.each(['redis', 'redis-node'] as const)('Redis keyspace notifications close the socket with 1008 when the key expires, with no message (%s)', async (kind) => {
    const opened = await openRealStore(kind);
    const h = await harness(opened, { touchIntervalMs: 60_000 });
    try {
      expect((opened.raw as { notifications?: string }).notifications).toBe('on');
      const session = h.repository.createSession();
      session.maxInactiveInterval = 1;
      await h.repository.save(session);
      const ws = await connect(h.url, session.id);
      const result = await closed(ws); // Redis expires the key after ~1 s and publishes the event
      expect(result.code).toBe(SESSION_CLOSE_CODE);
    } finally {
      await h.close();
      await opened.close();
    }
  });

  it('SQL cleanup reports expiry and closes the socket', async () => {
    const opened = await openRealStore('sqlite');
    const h = await harness(opened, { touchIntervalMs: 60_000 });
    try {
      const session = h.repository.createSession();
      session.maxInactiveInterval = 1;
      await h.repository.save(session);
      const ws = await connect(h.url, session.id);
      const result = closed(ws);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      await (opened.raw as unknown as { cleanupExpired(): Promise<number> }).cleanupExpired();
      expect((await result).code).toBe(SESSION_CLOSE_CODE);
    } finally {
      await h.close();
      await opened.close();
    }
  });
});
