/**
 * A server process a test started itself and controls by process id (SIGSTOP/SIGCONT for a pause,
 * SIGTERM/SIGKILL for a stop or crash). Whatever is still running when the test process exits is
 * killed.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

const running = new Set<OwnedProcess>();
process.once('exit', () => {
  for (const owned of running) owned.signal('SIGKILL');
});

export class OwnedProcess {
  private readonly exited: Promise<void>;
  private output = '';

  private constructor(readonly child: ChildProcess) {
    running.add(this);
    this.exited = new Promise((resolve) =>
      child.once('exit', () => {
        running.delete(this);
        resolve();
      }),
    );
    const collect = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-20_000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
  }

  static start(command: string, args: string[], options: SpawnOptions = {}): OwnedProcess {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    return new OwnedProcess(child);
  }

  get pid(): number {
    return this.child.pid!;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last 20 000 characters the process printed. */
  get log(): string {
    return this.output;
  }

  signal(name: NodeJS.Signals): void {
    if (!this.alive) return;
    try {
      process.kill(this.pid, name);
    } catch {
      // Already gone.
    }
  }

  /** Sends `name` and waits for the exit; SIGKILL after `graceMs`. */
  async stop(name: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
    if (!this.alive) return;
    this.signal('SIGCONT');
    this.signal(name);
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
