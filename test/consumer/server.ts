/** Runs an app's server with plain `node` and talks to it over HTTP with a cookie jar, as a browser would. */
import { spawn, type ChildProcess } from 'node:child_process';
import { cleanEnv } from './packages.js';

export interface RunningApp {
  url: string;
  stop(): Promise<void>;
}

/** Starts `node <script>` in the app folder and waits for its `listening <port>` line. */
export function startNodeApp(dir: string, script: string, env: NodeJS.ProcessEnv = {}): Promise<RunningApp> {
  const child: ChildProcess = spawn(process.execPath, [script], { cwd: dir, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.pid === undefined) return resolve();
      child.once('exit', () => resolve());
      process.kill(child.pid, 'SIGTERM');
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => void stop().then(() => reject(new Error(`${script} did not start in 20 s:\n${output}`))), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const port = /listening (\d+)/.exec(output)?.[1];
      if (port) {
        clearTimeout(timer);
        resolve({ url: `http://127.0.0.1:${port}`, stop });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code}:\n${output}`));
    });
  });
}

/** fetch with one client's cookie jar (the `SESSION` cookie). */
export class Browser {
  cookie: string | null = null;
  constructor(private readonly base: string) {}

  async request(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown; setCookie: string | null }> {
    const headers: Record<string, string> = {};
    if (this.cookie) headers.cookie = this.cookie;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(this.base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) {
      const pair = setCookie.split(';')[0]!;
      this.cookie = /Max-Age=0/i.test(setCookie) || pair.endsWith('=') ? null : pair;
    }
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : null, setCookie };
  }
}
