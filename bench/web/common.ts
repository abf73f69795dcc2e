/**
 * Shared by the benchmark's server processes: the port, the Redis URL and key prefix from the
 * environment, the ready line, and the routes every server answers (the same work for each):
 *
 * - `POST /login` with `{ "principalName": … }`: signs the session in (a new id, the principal set).
 * - `PUT /session/attributes/:name` with a JSON value: 401 unless signed in, else sets the attribute, 204.
 * - `GET /session/attributes/:name`: the stored value (the load generator checks the writes landed).
 *
 * The servers without sessions parse the same bodies and answer the same statuses.
 */
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

// Exits normally when the load generator is done, so a `--cpu-prof` profile gets written.
process.once('SIGINT', () => process.exit(0));
