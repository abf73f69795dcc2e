import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { IndexDescriptor, IndexValue } from '../../runtime/core/descriptor.js';
import { uuidSessionIdGenerator } from '../../runtime/core/ids.js';
import type { SessionRecord, SessionStore, SessionWrite, WriteOutcome } from '../../runtime/core/store.js';
import { MemorySessionStore } from '../../runtime/stores/memory/memory-store.js';
import { fixtureDescriptor } from './fixture-descriptor.js';

export interface StoreCall {
  op: 'load' | 'write' | 'delete' | 'findByIndex';
  id?: string;
}

/**
 * A memory store that records every call, flags any id `uuidSessionIdGenerator.isValid` rejects,
 * and can be slowed down or made to fail.
 */
export class RecordingStore implements SessionStore {
  readonly kind = 'recording-memory';
  readonly inner = new MemorySessionStore(fixtureDescriptor, { sweepIntervalMs: 0 });
  readonly calls: StoreCall[] = [];
  readonly invalidIds: string[] = [];
  /** Writes that completed, with the time they landed. */
  readonly landed: Array<{ id: string; at: number }> = [];
  writeDelayMs = 0;
  down = false;

  private check(id: string | undefined): void {
    if (id !== undefined && !uuidSessionIdGenerator.isValid(id)) this.invalidIds.push(id);
  }

  private failIfDown(op: string): void {
    if (this.down) throw new Error(`connection refused (${op})`);
  }

  async load(id: string): Promise<SessionRecord | null> {
    this.calls.push({ op: 'load', id });
    this.check(id);
    this.failIfDown('load');
    return this.inner.load(id);
  }

  async write(write: SessionWrite): Promise<WriteOutcome> {
    this.calls.push({ op: 'write', id: write.id });
    this.check(write.id);
    this.check(write.previousId);
    this.failIfDown('write');
    if (this.writeDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.writeDelayMs));
    const outcome = await this.inner.write(write);
    this.landed.push({ id: write.id, at: Date.now() });
    return outcome;
  }

  async delete(id: string): Promise<boolean> {
    this.calls.push({ op: 'delete', id });
    this.check(id);
    this.failIfDown('delete');
    return this.inner.delete(id);
  }

  async findByIndex(index: IndexDescriptor, value: IndexValue): Promise<SessionRecord[]> {
    this.calls.push({ op: 'findByIndex' });
    this.failIfDown('findByIndex');
    return this.inner.findByIndex(index, value);
  }

  async close(): Promise<void> {
    await this.inner.close();
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
