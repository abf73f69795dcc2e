import type { SessionClient } from '../core/devices.js';
import { firstHeaderValue, readHeader, type ResolverRequest } from './id-resolver.js';

/**
 * Which proxies to believe about the client's address (`X-Forwarded-For`): `false` (the default)
 * none, the address is the connected peer's; `true` every one, the address is the left-most
 * forwarded one (only behind proxies that overwrite the header); a number n, the n proxies nearest
 * this server, the address is the one the n-th of them saw (as Express's `trust proxy` n).
 */
export type TrustProxy = boolean | number;

/** What an IP address may look like (v4, v6, v4-mapped v6, with a zone): anything else is not recorded. */
const ADDRESS = /^[0-9A-Fa-f:.]{2,45}(%[0-9A-Za-z._-]{1,16})?$/;

/** The client's address, per `trustProxy`; undefined when unknown or not an IP address. */
export function clientAddress(request: ResolverRequest, trustProxy: TrustProxy = false): string | undefined {
  const peer = plain(request.remoteAddress);
  if (trustProxy === false || trustProxy === 0) return peer;
  const header = readHeader(request, 'x-forwarded-for');
  const forwarded = ([] as string[])
    .concat(header ?? [])
    .join(',')
    .split(',')
    .map((hop) => hop.trim())
    .filter((hop) => hop !== '');
  const chain = [...forwarded, ...(peer === undefined ? [] : [peer])];
  const chosen = trustProxy === true ? chain[0] : chain[Math.max(0, chain.length - 1 - trustProxy)];
  return plain(chosen);
}

/** The user agent and address of a request's client, for the session's device. */
export function clientOf(request: ResolverRequest, trustProxy: TrustProxy = false): SessionClient {
  return { userAgent: firstHeaderValue(readHeader(request, 'user-agent')), address: clientAddress(request, trustProxy) };
}

/** Throws a RangeError unless `value` is a boolean or a whole number of proxies from 0 to 32. */
export function checkTrustProxy(value: TrustProxy): TrustProxy {
  if (typeof value === 'boolean' || (Number.isInteger(value) && value >= 0 && value <= 32)) return value;
  throw new RangeError(`trustProxy must be true, false or a number of proxies from 0 to 32, got ${String(value)}`);
}

/** An IP address as recorded: IPv4-mapped IPv6 (`::ffff:203.0.113.9`) as the IPv4 address. */
function plain(address: string | undefined): string | undefined {
  if (typeof address !== 'string' || !ADDRESS.test(address)) return undefined;
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address) ? address.slice(7) : address;
}
