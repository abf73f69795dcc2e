import { firstHeaderValue, MAX_SESSION_ID_CANDIDATES, readHeader, type HeaderMutation, type ResolverRequest, type SessionIdResolver } from './id-resolver.js';

export type SameSite = 'Lax' | 'Strict' | 'None';

export interface CookieResolverOptions {
  /** Cookie name; default `SESSION` (Spring Session's). */
  name?: string;
  /** Default `/`. */
  path?: string;
  /** No `Domain` attribute unless set (host-only cookie). */
  domain?: string;
  /** Seconds. Absent or negative: a browser-session cookie (no `Max-Age`/`Expires`). */
  maxAge?: number;
  /** Default `Lax`; `false` omits the attribute. */
  sameSite?: SameSite | false;
  /** `'auto'` (default): Secure when the request came over https (see `trustProxy`). */
  secure?: boolean | 'auto';
  /** With `secure: 'auto'`, also believe `X-Forwarded-Proto: https` from a proxy. Default false. */
  trustProxy?: boolean;
  /** Default true. */
  httpOnly?: boolean;
  /** Adds `Partitioned` (CHIPS) to secure cookies. Default false. */
  partitioned?: boolean;
  /**
   * `plain` (default): the cookie value is the id. `base64`: Spring Session's form, standard
   * alphabet with padding over the UTF-8 id; a value that does not decode is ignored.
   */
  encoding?: 'plain' | 'base64';
  /** How much of the Cookie header is looked at, in characters. Default 8192. */
  maxHeaderLength?: number;
  /** Longer cookie values are ignored. Default 256. */
  maxValueLength?: number;
  /**
   * At most this many distinct candidate ids are returned (each may cost a store lookup), in the
   * order the Cookie header lists them. Default and most: {@link MAX_SESSION_ID_CANDIDATES} (3).
   */
  maxCandidates?: number;
  /** For `Expires` when `maxAge` is set. */
  clock?: () => number;
}

/** RFC 6265 cookie-octet: printable ASCII without space, `"`, `,`, `;` and `\`. */
const COOKIE_OCTETS = /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]+$/;
/** RFC 7230 token, for the cookie name. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const DOMAIN = /^[0-9A-Za-z](?:[0-9A-Za-z]|[.-](?=[0-9A-Za-z]))*$/;
const PATH = /^[\x20-\x3A\x3C-\x7E]*$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const EPOCH = new Date(0).toUTCString();

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads and writes the session id in a cookie (Spring Session's `CookieHttpSessionIdResolver`
 * with `DefaultCookieSerializer`): `SESSION=<id>; Path=/; HttpOnly; SameSite=Lax`, plus `Secure`
 * over https.
 */
export class CookieSessionIdResolver implements SessionIdResolver {
  readonly name: string;
  readonly path: string;
  readonly domain: string | undefined;
  readonly maxAge: number | undefined;
  readonly sameSite: SameSite | false;
  readonly secure: boolean | 'auto';
  readonly trustProxy: boolean;
  readonly httpOnly: boolean;
  readonly partitioned: boolean;
  readonly encoding: 'plain' | 'base64';
  private readonly maxHeaderLength: number;
  private readonly maxValueLength: number;
  private readonly maxCandidates: number;
  private readonly clock: () => number;

  constructor(options: CookieResolverOptions = {}) {
    this.name = options.name ?? 'SESSION';
    if (!TOKEN.test(this.name)) throw new TypeError(`invalid cookie name ${JSON.stringify(this.name)}`);
    this.path = options.path ?? '/';
    if (!PATH.test(this.path)) throw new TypeError(`invalid cookie path ${JSON.stringify(this.path)}`);
    this.domain = options.domain;
    if (this.domain !== undefined && !DOMAIN.test(this.domain)) {
      throw new TypeError(`invalid cookie domain ${JSON.stringify(this.domain)}`);
    }
    const maxAge = options.maxAge;
    if (maxAge !== undefined && !Number.isInteger(maxAge)) throw new TypeError(`cookie maxAge must be whole seconds, got ${maxAge}`);
    this.maxAge = maxAge !== undefined && maxAge >= 0 ? maxAge : undefined;
    this.sameSite = options.sameSite ?? 'Lax';
    if (this.sameSite !== false && !['Lax', 'Strict', 'None'].includes(this.sameSite)) {
      throw new TypeError(`invalid SameSite ${JSON.stringify(this.sameSite)}`);
    }
    this.secure = options.secure ?? 'auto';
    if (this.sameSite === 'None' && this.secure === false) {
      throw new TypeError('SameSite=None cookies must be Secure; do not combine it with secure: false');
    }
    this.trustProxy = options.trustProxy ?? false;
    this.httpOnly = options.httpOnly ?? true;
    this.partitioned = options.partitioned ?? false;
    this.encoding = options.encoding ?? 'plain';
    if (this.encoding !== 'plain' && this.encoding !== 'base64') {
      throw new TypeError(`invalid cookie encoding ${JSON.stringify(this.encoding)}`);
    }
    this.maxHeaderLength = positive(options.maxHeaderLength, 8192, 'maxHeaderLength');
    this.maxValueLength = positive(options.maxValueLength, 256, 'maxValueLength');
    this.maxCandidates = positive(options.maxCandidates, MAX_SESSION_ID_CANDIDATES, 'maxCandidates');
    if (this.maxCandidates > MAX_SESSION_ID_CANDIDATES) {
      throw new RangeError(`maxCandidates may be at most ${MAX_SESSION_ID_CANDIDATES} (each candidate may cost a store lookup), got ${this.maxCandidates}`);
    }
    this.clock = options.clock ?? Date.now;
  }

  resolve(request: ResolverRequest): string[] {
    try {
      const ids: string[] = [];
      for (const raw of parseCookieValues(readHeader(request, 'cookie'), this.name, this.maxHeaderLength)) {
        if (raw.length > this.maxValueLength) continue;
        const id = this.decode(raw);
        if (id === undefined || ids.includes(id)) continue;
        ids.push(id);
        if (ids.length >= this.maxCandidates) break;
      }
      return ids;
    } catch {
      return [];
    }
  }

  write(id: string, request: ResolverRequest): HeaderMutation[] {
    const value = this.encode(id);
    let maxAge = '';
    if (this.maxAge !== undefined) {
      maxAge = `; Max-Age=${this.maxAge}; Expires=${new Date(this.clock() + this.maxAge * 1000).toUTCString()}`;
    }
    return [{ name: 'Set-Cookie', value: `${this.name}=${value}${maxAge}${this.attributes(request)}` }];
  }

  expire(request: ResolverRequest): HeaderMutation[] {
    return [{ name: 'Set-Cookie', value: `${this.name}=; Max-Age=0; Expires=${EPOCH}${this.attributes(request)}` }];
  }

  /** Whether the cookie gets `Secure` for this request. */
  isSecure(request: ResolverRequest): boolean {
    if (this.secure !== 'auto') return this.secure;
    if (request.encrypted) return true;
    if (!this.trustProxy) return false;
    const forwarded = firstHeaderValue(readHeader(request, 'x-forwarded-proto'));
    if (forwarded === undefined) return false;
    const comma = forwarded.indexOf(',');
    return (comma === -1 ? forwarded : forwarded.slice(0, comma)).trim().toLowerCase() === 'https';
  }

  /** The cookie value for an id. */
  encode(id: string): string {
    const value = this.encoding === 'base64' ? Buffer.from(id, 'utf8').toString('base64') : id;
    if (!COOKIE_OCTETS.test(value)) throw new TypeError('session id is not a valid cookie value');
    return value;
  }

  /** The id in a cookie value, or undefined when it cannot be one. */
  decode(value: string): string | undefined {
    if (value.length === 0 || value.length > this.maxValueLength || !COOKIE_OCTETS.test(value)) return undefined;
    if (this.encoding === 'plain') return value;
    const id = decodeBase64(value);
    return id !== undefined && id.length > 0 && COOKIE_OCTETS.test(id) ? id : undefined;
  }

  private attributes(request: ResolverRequest): string {
    let out = '';
    if (this.domain !== undefined) out += `; Domain=${this.domain}`;
    out += `; Path=${this.path}`;
    const secure = this.isSecure(request) || this.sameSite === 'None';
    if (secure) out += '; Secure';
    if (this.httpOnly) out += '; HttpOnly';
    if (this.sameSite !== false) out += `; SameSite=${this.sameSite}`;
    if (this.partitioned && secure) out += '; Partitioned';
    return out;
  }
}

/**
 * The cookie resolver a web integration uses when the app gives none: Spring Session's form
 * (`SESSION`, base64 of the id) over a store that shares Spring's layout (`compat: 'spring'`), so a
 * Java app and a Node app read each other's cookie; the plain id otherwise. `options` apply on top.
 */
export function defaultCookieResolver(store?: { readonly compat?: string }, options: CookieResolverOptions = {}): CookieSessionIdResolver {
  return new CookieSessionIdResolver(store?.compat === 'spring' ? { encoding: 'base64', ...options } : options);
}

/**
 * The values of every cookie called `name` in a Cookie header, in order. Looks at no more than
 * `maxLength` characters (cut at a `;` so no pair is truncated), skips malformed pairs and
 * strips one pair of surrounding double quotes. Never throws.
 */
export function parseCookieValues(header: string | string[] | undefined, name: string, maxLength = 8192): string[] {
  if (header === undefined) return [];
  let text = Array.isArray(header) ? header.join('; ') : header;
  if (typeof text !== 'string') return [];
  if (text.length > maxLength) {
    const cut = text.lastIndexOf(';', maxLength);
    text = cut === -1 ? '' : text.slice(0, cut);
  }
  const values: string[] = [];
  for (const pair of text.split(';')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    if (pair.slice(0, eq).trim() !== name) continue;
    let value = pair.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (value.length > 0) values.push(value);
  }
  return values;
}

/**
 * Standard-alphabet base64 (padding optional, as Java's decoder accepts) to a UTF-8 string;
 * undefined for anything that is not canonical base64 of valid UTF-8.
 */
export function decodeBase64(value: string): string | undefined {
  if (!BASE64.test(value)) return undefined;
  const data = value.replace(/=+$/, '');
  if (data.length % 4 === 1) return undefined;
  if (data.length !== value.length && value.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(data, 'base64');
  if (bytes.toString('base64').replace(/=+$/, '') !== data) return undefined;
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

function positive(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) throw new TypeError(`${what} must be a positive integer, got ${value}`);
  return value;
}
