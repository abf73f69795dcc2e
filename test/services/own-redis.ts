/**
 * A redis-server of the test's own, on a free port in a temp dir of its own, for tests that stop,
 * pause or restart the server (never the machine's shared Redis). Restarts keep the port and the
 * data dir; with `persistent: true` the server writes an append-only file fsynced before every
 * reply (`appendfsync always`), so a crash loses nothing it acknowledged.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OwnedProcess } from './owned-process.js';
import { freePort } from './port.js';

const HOW_TO_GET = 'install redis-server (Debian/Ubuntu: apt-get install redis-server), version 6.2 or later';

export interface OwnRedisOptions {
  /** Append-only file, fsynced before each reply. Default false (nothing survives a restart). */
  persistent?: boolean;
  /** More `redis-server` arguments, e.g. `['--rename-command', 'CONFIG', '']`. */
  args?: string[];
}

export class OwnRedis {
  private process: OwnedProcess | undefined;

  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly args: string[],
  ) {}

  static async start(options: OwnRedisOptions = {}): Promise<OwnRedis> {
    if (!existsSync('/usr/bin/redis-server') && !existsSync('/usr/local/bin/redis-server')) {
      throw new Error(`this test starts a redis-server of its own, and redis-server is not installed: ${HOW_TO_GET}`);
    }
    const port = await freePort();
    // tmpfs where there is one: fsync there is free, so `appendfsync always` costs nothing.
    const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'sessiongen-redis-'));
    const persistence = options.persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--daemonize', 'no', ...persistence, ...(options.args ?? [])];
    const redis = new OwnRedis(port, dir, args);
    await redis.launch();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    if (!this.process?.alive) throw new Error(`the redis-server on port ${this.port} is not running`);
    return this.process.pid;
  }

  /** SIGSTOP: the server keeps its connections open and answers nothing. */
  pause(): void {
    process.kill(this.pid, 'SIGSTOP');
  }

  resume(): void {
    process.kill(this.pid, 'SIGCONT');
  }

  /** Stops the server (SIGTERM: a clean shutdown; SIGKILL: a crash) and starts it again on the same port and dir. */
  async restart(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM', downMs = 0): Promise<void> {
    await this.process?.stop(signal);
    if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
    await this.launch();
  }

  /** Stops the server for good and removes its dir. */
  async stop(): Promise<void> {
    await this.process?.stop('SIGTERM', 5_000);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async launch(): Promise<void> {
    const server = OwnedProcess.start('redis-server', this.args);
    this.process = server;
    const deadline = Date.now() + 15_000;
    while (!(await answersPing(this.port))) {
      if (!server.alive) throw new Error(`redis-server on port ${this.port} exited before it answered:\n${server.log}\nNeeds: ${HOW_TO_GET}`);
      if (Date.now() > deadline) {
        await server.stop('SIGKILL');
        throw new Error(`redis-server on port ${this.port} did not answer PING within 15 s:\n${server.log}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/** Whether a Redis server on the port answers PING with PONG (not LOADING). */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}
