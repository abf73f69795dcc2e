/**
 * A PostgreSQL server of the test's own (never the machine's on 5432): `initdb` in a temp dir of
 * its own, `postgres` on a free port, trust auth for `postgres` on 127.0.0.1, for tests that kill
 * its connections, pause it or restart it. A pause (SIGSTOP) or a crash (SIGKILL) goes to the
 * postmaster and each of its children by process id (every child leads a session of its own, so a
 * process group signal would not reach them). PostgreSQL refuses to run as root: when the tests
 * run as root, it runs as the `postgres` user.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OwnedProcess } from './owned-process.js';
import { freePort, isListening } from './port.js';

const HOW_TO_GET =
  'install the PostgreSQL server binaries (Debian/Ubuntu: apt-get install postgresql, which puts initdb and postgres in ' +
  '/usr/lib/postgresql/<version>/bin), or point PG_BIN at a directory holding initdb and postgres; when the tests run as ' +
  'root, a `postgres` system user must exist (the package creates it) because PostgreSQL refuses to run as root';

/** The directory with initdb and postgres: PG_BIN, else the newest /usr/lib/postgresql/<version>/bin. */
function findBinaries(): string {
  const candidates = process.env.PG_BIN
    ? [process.env.PG_BIN]
    : existsSync('/usr/lib/postgresql')
      ? readdirSync('/usr/lib/postgresql')
          .filter((version) => /^\d+$/.test(version))
          .sort((a, b) => Number(b) - Number(a))
          .map((version) => `/usr/lib/postgresql/${version}/bin`)
      : [];
  const found = candidates.find((dir) => ['initdb', 'postgres', 'pg_isready'].every((tool) => existsSync(join(dir, tool))));
  if (!found) throw new Error(`this test starts a PostgreSQL server of its own and found no initdb, postgres and pg_isready: ${HOW_TO_GET}`);
  return found;
}

/** Root runs the server as `postgres`; anyone else runs it as themselves. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new Error(`the tests run as root and there is no \`postgres\` user to run a PostgreSQL server of their own as: ${HOW_TO_GET}`);
  }
}

export class OwnPostgres {
  private process: OwnedProcess | undefined;
  private paused: number[] = [];

  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly bin: string,
    private readonly user: { uid: number; gid: number } | undefined,
  ) {}

  static async start(): Promise<OwnPostgres> {
    const bin = findBinaries();
    const user = serverUser();
    const port = await freePort();
    const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'sessiongen-pg-'));
    if (user) chownSync(dir, user.uid, user.gid);
    try {
      execFileSync(join(bin, 'initdb'), ['-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8'], {
        stdio: 'pipe',
        timeout: 60_000,
        ...(user ?? {}),
      });
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      const e = err as { stderr?: Buffer; message: string };
      throw new Error(`initdb failed: ${e.stderr?.toString() ?? e.message}. Needs: ${HOW_TO_GET}`);
    }
    const server = new OwnPostgres(port, dir, bin, user);
    await server.launch();
    return server;
  }

  /** `postgres://postgres@127.0.0.1:<port>/postgres`. */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  get pid(): number {
    if (!this.process?.alive) throw new Error(`the PostgreSQL server on port ${this.port} is not running`);
    return this.process.pid;
  }

  /** SIGSTOP to the postmaster and every backend: nothing answers, connections stay open. */
  pause(): void {
    this.paused = this.serverPids();
    for (const pid of this.paused) sendSignal(pid, 'SIGSTOP');
  }

  resume(): void {
    for (const pid of this.paused.splice(0)) sendSignal(pid, 'SIGCONT');
  }

  /**
   * Stops the server and starts it again on the same port and data: `SIGINT` is PostgreSQL's fast
   * shutdown; `SIGKILL` (to every server process) is a crash, and the next start recovers from the WAL.
   */
  async restart(signal: 'SIGINT' | 'SIGKILL' = 'SIGINT', downMs = 0): Promise<void> {
    const children = signal === 'SIGKILL' ? this.serverPids().slice(1) : [];
    for (const pid of children) sendSignal(pid, 'SIGKILL');
    await this.process?.stop(signal);
    // A killed backend that has not finished exiting still holds the shared memory block, and a
    // new postmaster refuses to start beside it ("pre-existing shared memory block is still in use").
    await exited(children, 10_000);
    if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
    await this.launch();
  }

  /** The postmaster's pid, then its children's (from /proc). */
  private serverPids(): number[] {
    const postmaster = this.pid;
    const children = readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .filter((entry) => {
        try {
          // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ')'.
          const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
          return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmaster;
        } catch {
          return false;
        }
      })
      .map(Number);
    return [postmaster, ...children];
  }

  async stop(): Promise<void> {
    await this.process?.stop('SIGINT', 10_000);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async launch(): Promise<void> {
    const args = [
      '-D', join(this.dir, 'data'),
      '-p', String(this.port),
      '-k', this.dir,
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'fsync=off',
      '-c', 'full_page_writes=off',
      '-c', 'shared_buffers=16MB',
      '-c', 'max_connections=40',
      // Dynamic shared memory in the data dir, not /dev/shm: a crash leaves nothing behind outside it.
      '-c', 'dynamic_shared_memory_type=mmap',
    ];
    const server = OwnedProcess.start(join(this.bin, 'postgres'), args, this.user ?? {});
    this.process = server;
    const deadline = Date.now() + 30_000;
    // Listening is not enough: during crash recovery the server refuses logins ("the database system is starting up").
    while (!(await isListening(this.port, '127.0.0.1', 500)) || !this.acceptsLogins()) {
      if (!server.alive) throw new Error(`postgres on port ${this.port} exited before it accepted connections:\n${server.log}\nNeeds: ${HOW_TO_GET}`);
      if (Date.now() > deadline) {
        await server.stop('SIGKILL');
        throw new Error(`postgres on port ${this.port} did not accept connections within 30 s:\n${server.log}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private acceptsLogins(): boolean {
    try {
      execFileSync(join(this.bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(this.port), '-U', 'postgres', '-t', '1'], { stdio: 'pipe' });
      return true;
    } catch {
      return false;
    }
  }
}

function sendSignal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

/** Resolves once every pid has exited (gone from /proc, or a zombie), or after `timeoutMs`. */
async function exited(pids: number[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const running = (pid: number) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] !== 'Z';
    } catch {
      return false;
    }
  };
  while (pids.some(running) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}
