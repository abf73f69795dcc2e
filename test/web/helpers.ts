import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { MemorySessionStore } from '../../runtime/stores/memory/memory-store.js';
import { fixtureDescriptor } from './fixture-descriptor.js';
import { InstrumentedStore } from './instrumented-store.js';

export type { StoreCall } from './instrumented-store.js';

/**
 * A memory store that records every call, flags any id `uuidSessionIdGenerator.isValid` rejects,
 * and can be slowed down or made to fail.
 */
export class RecordingStore extends InstrumentedStore<MemorySessionStore> {
  constructor() {
    super(new MemorySessionStore(fixtureDescriptor, { sweepIntervalMs: 0 }));
  }
}

export interface Running {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Listens on an ephemeral port. */
export function listen(app: { listen(port: number, callback: () => void): Server }): Promise<Running> {
  return new Promise((resolve) => {
    const server = app.listen(0, () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

/** The `Set-Cookie` headers of a response that set or clear `name`. */
export function cookiesNamed(response: Response, name = 'SESSION'): string[] {
  return response.headers.getSetCookie().filter((line) => line.startsWith(`${name}=`));
}

/** The value of the one `name` cookie a response sets; fails when there is not exactly one. */
export function cookieValue(response: Response, name = 'SESSION'): string {
  const lines = cookiesNamed(response, name);
  if (lines.length !== 1) throw new Error(`expected one ${name} cookie, got ${JSON.stringify(lines)}`);
  return lines[0].slice(name.length + 1).split(';')[0];
}

/** The attributes of a Set-Cookie line, name-value pair first. */
export function cookieParts(line: string): string[] {
  return line.split(';').map((part) => part.trim());
}

/** Sends raw bytes as one HTTP request; resolves with the status code and the raw response. */
export function rawRequest(port: number, head: Buffer | string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const match = /^HTTP\/1\.1 (\d{3})/.exec(text);
      resolve({ status: match ? Number(match[1]) : 0, text });
    });
    socket.setTimeout(5000, () => socket.destroy(new Error('raw request timed out')));
    socket.end(head);
  });
}
