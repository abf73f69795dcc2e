/**
 * A 3-master Redis Cluster of the test's own (never the shared one on 7101-7103): three
 * {@link OwnRedis} servers on free ports, joined with `redis-cli --cluster create`. A node
 * restarted on its port and dir reads its nodes.conf and takes its slots back.
 */
import { execFileSync } from 'node:child_process';
import { OwnRedis } from './own-redis.js';

const HOW_TO_GET = 'install redis-server and redis-cli (apt-get install redis-server), version 6.2 or later';

function cli(port: number, ...args: string[]): string {
  return execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { encoding: 'utf8', timeout: 10_000 });
}

export class OwnRedisCluster {
  private constructor(readonly nodes: OwnRedis[]) {}

  static async start(): Promise<OwnRedisCluster> {
    const nodes: OwnRedis[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        nodes.push(await OwnRedis.start({ args: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '5000'] }));
      }
      execFileSync('redis-cli', ['--cluster', 'create', ...nodes.map((node) => `127.0.0.1:${node.port}`), '--cluster-replicas', '0', '--cluster-yes'], {
        stdio: 'pipe',
        timeout: 30_000,
      });
      const cluster = new OwnRedisCluster(nodes);
      await cluster.waitUntilOk(20_000);
      return cluster;
    } catch (err) {
      for (const node of nodes) await node.stop();
      throw new Error(`could not start a Redis Cluster of the test's own: ${(err as Error).message}. Needs: ${HOW_TO_GET}`);
    }
  }

  /** `host:port,…` for `createRedisSessionClient({ clusterNodes })`. */
  get clusterNodes(): string {
    return this.nodes.map((node) => `127.0.0.1:${node.port}`).join(',');
  }

  /** Until every node reports cluster_state:ok and knows all three. */
  async waitUntilOk(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const ok = (node: OwnRedis) => {
      try {
        const info = cli(node.port, 'cluster', 'info');
        return /cluster_state:ok/.test(info) && /cluster_known_nodes:3\b/.test(info);
      } catch {
        return false;
      }
    };
    while (!this.nodes.every(ok)) {
      if (Date.now() > deadline) throw new Error(`the Redis Cluster did not reach cluster_state:ok within ${timeoutMs / 1000}s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async stop(): Promise<void> {
    for (const node of this.nodes) await node.stop();
  }
}
