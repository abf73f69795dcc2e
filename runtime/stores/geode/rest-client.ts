/**
 * The few calls of Geode's Developer REST API (`/geode/v1`) the store makes, over the global
 * `fetch`: no client package. Keys travel in the `keys` query parameter, encoded twice: the servlet
 * container decodes once, the REST app splits the value on commas and decodes each key again, so
 * a key with a comma, '+', '%' or anything else arrives as it was.
 */

/** A typed argument of a named query, as the REST API reads it. */
export type GeodeQueryArgument = { '@type': 'String' | 'long' | 'int'; '@value': string };

export const stringArgument = (value: string): GeodeQueryArgument => ({ '@type': 'String', '@value': value });
export const longArgument = (value: number): GeodeQueryArgument => ({ '@type': 'long', '@value': String(Math.trunc(value)) });
export const intArgument = (value: number): GeodeQueryArgument => ({ '@type': 'int', '@value': String(Math.trunc(value)) });

export interface GeodeRestOptions {
  /** Milliseconds a call may take before it fails (and the next server is tried). */
  requestTimeoutMs: number;
  /** The `fetch` to use (tests pass a recording one); default the global `fetch`. */
  fetch?: typeof fetch;
}

/** An answer the REST API should not give (5xx, a missing region, a refused request). */
export class GeodeRestError extends Error {
  override readonly name = 'GeodeRestError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** What a compare-and-set answered: applied (or the key was missing: the REST API cannot tell), or the current value. */
export type CasAnswer = { swapped: true } | { swapped: false; current: string };

const JSON_TYPE = 'application/json;charset=UTF-8';

export class GeodeRestClient {
  private current = 0;
  private readonly fetch: typeof fetch;

  /** `urls`: the REST API base of one or more servers of one cluster (`http://host:7070/geode/v1`). */
  constructor(
    readonly urls: readonly string[],
    private readonly options: GeodeRestOptions,
  ) {
    if (urls.length === 0) throw new RangeError('the Geode store needs at least one REST API URL');
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  /** The base URL calls go to now (the first that answered). */
  get url(): string {
    return this.urls[this.current]!;
  }

  /** The names of the cluster's regions. */
  async regions(): Promise<string[]> {
    const response = await this.send('GET', '');
    const body = (await json(response, 200)) as { regions?: Array<{ name?: unknown }> };
    return (body.regions ?? []).map((region) => String(region.name));
  }

  /** The value's JSON text, or null when the key is absent. */
  async get(region: string, key: string): Promise<string | null> {
    const response = await this.send('GET', `/${encodeURIComponent(region)}?keys=${keyParam(key)}`);
    if (response.status === 404) return absent(response, region);
    return text(response, 200);
  }

  /** Writes the value whatever is there. */
  async put(region: string, key: string, value: string): Promise<void> {
    const response = await this.send('PUT', `/${encodeURIComponent(region)}?keys=${keyParam(key)}`, value);
    await text(response, 200);
  }

  /** Creates the entry if the key is absent (`op=CREATE`); false when it exists. */
  async create(region: string, key: string, value: string): Promise<boolean> {
    const response = await this.send('PUT', `/${encodeURIComponent(region)}?keys=${keyParam(key)}&op=CREATE`, value);
    if (response.status === 409) {
      await response.text();
      return false;
    }
    await text(response, 201);
    return true;
  }

  /**
   * Replaces `expected` (compared as the server's PDX value) with `value`, atomically. A 409 brings
   * the current value; a key that does not exist answers like a swap (200, nothing written).
   */
  async cas(region: string, key: string, expected: string, value: string): Promise<CasAnswer> {
    const response = await this.send('PUT', `/${encodeURIComponent(region)}?keys=${keyParam(key)}&op=CAS`, `{"@old":${expected},"@new":${value}}`);
    if (response.status === 409) return { swapped: false, current: await response.text() };
    await text(response, 200);
    return { swapped: true };
  }

  /** Destroys the entry; false when the key was absent. */
  async delete(region: string, key: string): Promise<boolean> {
    const response = await this.send('DELETE', `/${encodeURIComponent(region)}?keys=${keyParam(key)}`);
    if (response.status === 404) return (await absent(response, region)) ?? false;
    await text(response, 200);
    return true;
  }

  /** Registers a named query; an id already holding exactly this OQL is fine, another OQL is an error. */
  async defineQuery(id: string, oql: string): Promise<void> {
    const response = await this.send('POST', `/queries?id=${encodeURIComponent(id)}&q=${encodeURIComponent(encodeURIComponent(oql))}`);
    if (response.status === 409) {
      const existing = (await response.json()) as { oql?: unknown };
      if (existing.oql !== oql) throw new GeodeRestError(409, `the named query ${id} exists with other OQL: ${String(existing.oql)}`);
      return;
    }
    await text(response, 201);
  }

  /** Runs a named query with typed arguments; its result rows. */
  async query(id: string, args: GeodeQueryArgument[]): Promise<unknown[]> {
    const response = await this.send('POST', `/queries/${encodeURIComponent(id)}`, JSON.stringify(args));
    const rows = await json(response, 200);
    if (!Array.isArray(rows)) throw new GeodeRestError(response.status, `query ${id} did not answer an array`);
    return rows;
  }

  /**
   * One call, to the current server, then to each other one if it cannot be reached (refused,
   * reset, timed out). Every call the store makes may be repeated safely: reads, writes of a whole
   * value, and compare-and-sets whose retry finds its own write and merges the same change again.
   */
  private async send(method: string, path: string, body?: string): Promise<Response> {
    let failure: unknown;
    for (let tried = 0; tried < this.urls.length; tried++) {
      const at = (this.current + tried) % this.urls.length;
      try {
        const response = await this.fetch(this.urls[at]! + path, {
          method,
          headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': JSON_TYPE },
          ...(body === undefined ? {} : { body }),
          signal: AbortSignal.timeout(this.options.requestTimeoutMs),
        });
        this.current = at;
        return response;
      } catch (err) {
        failure = err;
      }
    }
    throw failure instanceof Error ? withCause(failure) : new Error(String(failure));
  }
}

/** `keys=` takes comma-separated keys and decodes each after the container did: encode twice. */
function keyParam(key: string): string {
  return encodeURIComponent(encodeURIComponent(key));
}

/** A 404 for a missing key is null; a 404 for a missing region is an error (the server runs another cache.xml). */
async function absent(response: Response, region: string): Promise<null> {
  const body = await response.text();
  let cause = '';
  try {
    cause = String((JSON.parse(body) as { cause?: unknown }).cause ?? '');
  } catch {
    cause = body;
  }
  if (cause.startsWith('The Region identified by name')) {
    throw new GeodeRestError(404, `region ${region} does not exist on the server: start it with the generated cache.xml`);
  }
  return null;
}

async function text(response: Response, expected: number): Promise<string> {
  const body = await response.text();
  if (response.status !== expected) throw new GeodeRestError(response.status, `HTTP ${response.status}: ${reason(body)}`);
  return body;
}

async function json(response: Response, expected: number): Promise<unknown> {
  return JSON.parse(await text(response, expected)) as unknown;
}

function reason(body: string): string {
  try {
    const parsed = JSON.parse(body) as { cause?: unknown; message?: unknown };
    return String(parsed.cause ?? parsed.message ?? body).slice(0, 500);
  } catch {
    return body.slice(0, 500);
  }
}

/** fetch's "fetch failed" says little: name the cause (ECONNREFUSED, a timeout) in the message. */
function withCause(err: Error): Error {
  const cause = (err as { cause?: unknown }).cause;
  if (err.name === 'TimeoutError') return new Error(`no answer within the request timeout`, { cause: err });
  if (cause instanceof Error) return new Error(`${err.message}: ${(cause as { code?: string }).code ?? cause.message}`, { cause: err });
  return err;
}
