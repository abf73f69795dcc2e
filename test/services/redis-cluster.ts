/**
 * A 3-master Redis Cluster on 127.0.0.1:7101-7103 for the Redis store's cluster tests, started
 * with the machine's `redis-server` in a temp dir of its own (no persistence). An already running
 * healthy cluster on those ports is reused and left running; one this starter made is stopped by
 * process id. Sets REDIS_CLUSTER_NODES for the tests.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isListening, waitForPort } from './port.js';

export const REDIS_CLUSTER_PORTS = [7101, 7102, 7103] as const;
const HOW_TO_GET = 'install redis-server and redis-cli (apt-get install redis-server), version 6.2 or later';

function cli(port: number, ...args: string[]): string {
  return execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { encoding: 'utf8', timeout: 30_000 });
}

function clusterOk(port: number): boolean {
  try {
    return /cluster_state:ok/.test(cli(port, 'cluster', 'info')) && /cluster_known_nodes:3\b/.test(cli(port, 'cluster', 'info'));
  } catch {
    return false;
  }
}

async function waitForClusterOk(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (REDIS_CLUSTER_PORTS.every(clusterOk)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`Redis Cluster on ports ${REDIS_CLUSTER_PORTS.join(', ')} did not reach cluster_state:ok within ${timeoutMs / 1000}s`);
}

export async function startRedisCluster(): Promise<(() => Promise<void>) | void> {
  const nodes = REDIS_CLUSTER_PORTS.map((port) => `127.0.0.1:${port}`);
  process.env.REDIS_CLUSTER_NODES = nodes.join(',');
  const listening = await Promise.all(REDIS_CLUSTER_PORTS.map((port) => isListening(port)));
  if (listening.every(Boolean) && REDIS_CLUSTER_PORTS.every(clusterOk)) return;
  if (listening.some(Boolean)) {
    throw new Error(
      `Redis Cluster ports ${REDIS_CLUSTER_PORTS.join(', ')} are partly in use by something that is not a healthy 3-node cluster; ` +
        'stop whatever listens there (it is not this test run\'s) and run again',
    );
  }
  if (!existsSync('/usr/bin/redis-server') && !existsSync('/usr/local/bin/redis-server')) {
    throw new Error(`a Redis Cluster is needed on ports ${REDIS_CLUSTER_PORTS.join(', ')} and redis-server is not installed: ${HOW_TO_GET}`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'sessiongen-redis-cluster-'));
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.pid === undefined) return resolve();
            child.once('exit', () => resolve());
            process.kill(child.pid, 'SIGTERM');
            setTimeout(() => {
              if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
            }, 5_000).unref();
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const port of REDIS_CLUSTER_PORTS) {
      const child = spawn(
        'redis-server',
        [
          '--port', String(port),
          '--bind', '127.0.0.1',
          '--cluster-enabled', 'yes',
          '--cluster-config-file', `nodes-${port}.conf`,
          '--cluster-node-timeout', '5000',
          '--dir', dir,
          '--save', '',
          '--appendonly', 'no',
          '--daemonize', 'no',
          '--logfile', join(dir, `redis-${port}.log`),
        ],
        { stdio: 'ignore' },
      );
      children.push(child);
    }
    for (const port of REDIS_CLUSTER_PORTS) await waitForPort(port, `redis-server (cluster node) :${port}`, 20_000);
    execFileSync('redis-cli', ['--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes'], {
      stdio: 'pipe',
      timeout: 60_000,
    });
    await waitForClusterOk(60_000);
  } catch (err) {
    await stop();
    throw new Error(`could not start a Redis Cluster on ports ${REDIS_CLUSTER_PORTS.join(', ')}: ${(err as Error).message}. Needs: ${HOW_TO_GET}`);
  }
  return stop;
}
