/** Shared by the benchmark's server processes: the port, the Redis URL and key prefix from the environment, and the ready line. */
import type { AddressInfo } from 'node:net';

export const env = {
  port: Number(process.env.PORT ?? 0),
  redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/8',
  prefix: process.env.BENCH_PREFIX ?? 'bench',
};

/** Tells the load generator the server listens (one line on stdout). */
export function ready(address: AddressInfo | string | null): void {
  const port = typeof address === 'object' && address ? address.port : env.port;
  process.stdout.write(`ready ${port}\n`);
}
