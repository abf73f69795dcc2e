import { connect, type Socket } from 'node:net';

/**
 * Sends raw request bytes over a keep-alive connection, one request at a time, and reads each
 * response (Content-Length or chunked). Reconnects after the server closes (as Node does after
 * refusing malformed bytes with 400). For sending header bytes no HTTP client would.
 */
export class RawClient {
  private socket: Socket | undefined;
  private buffer = Buffer.alloc(0);
  private waiter: (() => void) | undefined;
  private closed = true;

  constructor(readonly port: number) {}

  /** Status 0 when the server closed the connection without answering. */
  async send(method: string, path: string, headerLines: Buffer[]): Promise<{ status: number; body: string }> {
    const socket = await this.connection();
    const head = Buffer.concat([
      Buffer.from(`${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n`),
      ...headerLines.flatMap((line) => [line, Buffer.from('\r\n')]),
      Buffer.from('\r\n'),
    ]);
    socket.write(head);
    return this.readResponse();
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private async connection(): Promise<Socket> {
    if (this.socket && !this.closed) return this.socket;
    this.socket?.destroy();
    this.socket = undefined;
    this.buffer = Buffer.alloc(0);
    const socket = connect(this.port, '127.0.0.1');
    this.socket = socket;
    socket.setNoDelay(true);
    this.closed = false;
    // Events of an earlier connection, closing late, must not touch this one.
    socket.on('data', (chunk) => {
      if (this.socket !== socket) return;
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.waiter?.();
    });
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.closed = true;
      this.waiter?.();
    });
    socket.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    this.socket = socket;
    return socket;
  }

  private async readResponse(): Promise<{ status: number; body: string }> {
    for (;;) {
      const parsed = this.tryParse();
      if (parsed) return parsed;
      if (this.closed) {
        const text = this.buffer.toString('latin1');
        const match = /^HTTP\/1\.1 (\d{3})/.exec(text);
        this.buffer = Buffer.alloc(0);
        if (!match && text.length > 0) throw new Error(`connection closed mid-response: ${JSON.stringify(text.slice(0, 100))}`);
        // Closed with nothing sent back: status 0 (the caller decides whether that is acceptable).
        if (!match) return { status: 0, body: '' };
        return { status: Number(match[1]), body: text.slice(text.indexOf('\r\n\r\n') + 4) };
      }
      await new Promise<void>((resolve) => (this.waiter = resolve));
      this.waiter = undefined;
    }
  }

  private tryParse(): { status: number; body: string } | undefined {
    const end = this.buffer.indexOf('\r\n\r\n');
    if (end === -1) return undefined;
    const head = this.buffer.subarray(0, end).toString('latin1');
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    const start = end + 4;
    let bodyEnd: number;
    let body: string;
    if (length) {
      bodyEnd = start + Number(length[1]);
      if (this.buffer.length < bodyEnd) return undefined;
      body = this.buffer.subarray(start, bodyEnd).toString('utf8');
    } else if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
      const terminator = this.buffer.indexOf('\r\n0\r\n\r\n', start - 2);
      if (terminator === -1) return undefined;
      bodyEnd = terminator + 7;
      const raw = this.buffer.subarray(start, bodyEnd).toString('utf8');
      body = raw.replace(/(^|\r\n)[0-9a-f]+\r\n/gi, '').replace(/\r\n$/, '');
    } else if (/\r\nconnection: *close/i.test(head) || status === 204 || status === 304) {
      if (status !== 204 && status !== 304 && !this.closed) return undefined;
      bodyEnd = this.buffer.length;
      body = this.buffer.subarray(start).toString('utf8');
    } else {
      bodyEnd = start;
      body = '';
    }
    this.buffer = this.buffer.subarray(bodyEnd);
    // Servers close after refusing a request's bytes, whether or not they say so (Fastify does not).
    if (/\r\nconnection: *close/i.test(head) || status === 400 || status === 431) {
      this.socket?.destroy();
      this.closed = true;
    }
    return { status, body };
  }
}
