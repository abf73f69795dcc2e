import { firstHeaderValue, readHeader, type HeaderMutation, type ResolverRequest, type SessionIdResolver } from './id-resolver.js';

export interface HeaderResolverOptions {
  /** Default `X-Auth-Token` (Spring Session's `HeaderHttpSessionIdResolver.xAuthToken()`). */
  name?: string;
  /** Longer values are ignored. Default 256. */
  maxValueLength?: number;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Visible ASCII, no spaces, quotes, commas, semicolons or backslashes. */
const PLAUSIBLE = /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]+$/;

/**
 * The session id in a request header, raw, for REST clients: read from `X-Auth-Token`, written
 * there for a new or changed id, and set empty on invalidate. One candidate at most: the first
 * value of the header (a header sent several times costs one lookup, not one per copy).
 */
export class HeaderSessionIdResolver implements SessionIdResolver {
  readonly name: string;
  private readonly maxValueLength: number;

  constructor(options: HeaderResolverOptions = {}) {
    this.name = options.name ?? 'X-Auth-Token';
    if (!TOKEN.test(this.name)) throw new TypeError(`invalid header name ${JSON.stringify(this.name)}`);
    this.maxValueLength = options.maxValueLength ?? 256;
    if (!Number.isInteger(this.maxValueLength) || this.maxValueLength <= 0) {
      throw new TypeError(`maxValueLength must be a positive integer, got ${this.maxValueLength}`);
    }
  }

  resolve(request: ResolverRequest): string[] {
    const value = firstHeaderValue(readHeader(request, this.name))?.trim();
    if (!value || value.length > this.maxValueLength || !PLAUSIBLE.test(value)) return [];
    return [value];
  }

  write(id: string): HeaderMutation[] {
    return [{ name: this.name, value: id }];
  }

  expire(): HeaderMutation[] {
    return [{ name: this.name, value: '' }];
  }
}
