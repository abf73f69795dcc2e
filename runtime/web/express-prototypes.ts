import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Hooks on Express's own prototypes, so the middleware adds no property to a request or response.
 *
 * Express gives each request and response its app's prototype (`app.request`, `app.response`,
 * through `Object.setPrototypeOf`), and V8 keeps no shared shape for properties added after that:
 * every property a middleware adds to `req` or `res` copies the object's whole shape (about 8 µs
 * each, measured on Node 20). So under Express, sessiongen sets none: `req.session` is an accessor
 * and the response's `writeHead`, `write`, `end` and `flushHeaders` are methods of the root app's
 * `request` and `response` objects (Express's documented place for additions, which every app
 * mounted below it inherits), each finding the request's own state in a WeakMap and otherwise
 * calling the method it stands in front of. Elsewhere (Connect, plain Node, a request that does
 * not carry its root app's prototypes, an own property already there) the middleware sets own
 * properties as before.
 */

export type HeldMethod = 'writeHead' | 'write' | 'end' | 'flushHeaders';
export const HELD_METHODS: readonly HeldMethod[] = ['writeHead', 'write', 'end', 'flushHeaders'];
type AnyMethod = (...args: unknown[]) => unknown;

/** What a hooked method hands a held response's calls to. */
export interface ResponseHold {
  invoke(target: ServerResponse, name: HeldMethod, args: unknown[]): unknown;
}

/** The method a hook stands in front of. */
const BASE = Symbol('sessiongen.express.base');
type Hook = AnyMethod & { [BASE]: AnyMethod };

const holds = new WeakMap<object, ResponseHold>();
const sessions = new WeakMap<object, unknown>();
const hooked = new WeakSet<object>();

interface ExpressApp {
  request?: unknown;
  response?: unknown;
  parent?: ExpressApp;
}

/**
 * The root app's `request` and `response` objects, hooked (once), when `req` and `res` inherit
 * from them; undefined otherwise.
 */
export function expressPrototypes(req: IncomingMessage, res: ServerResponse): { request: object; response: object } | undefined {
  let app = (req as { app?: ExpressApp }).app;
  if (app === null || (typeof app !== 'function' && typeof app !== 'object')) return undefined;
  for (let depth = 0; app.parent && depth < 64; depth++) app = app.parent;
  const { request, response } = app;
  if (!isObject(request) || !isObject(response)) return undefined;
  if (!Object.prototype.isPrototypeOf.call(request, req) || !Object.prototype.isPrototypeOf.call(response, res)) return undefined;
  if (!hooked.has(request)) hookRequest(request);
  if (!hooked.has(response)) hookResponse(response);
  return { request, response };
}

/** Gives `req` its session: through the hooked accessor when it reaches `req`, else as an own property. */
export function attachSession(req: IncomingMessage, session: unknown, viaPrototype: boolean): void {
  if (viaPrototype && !Object.prototype.hasOwnProperty.call(req, 'session')) sessions.set(req, session);
  else (req as { session?: unknown }).session = session;
}

/**
 * The methods the hooks stand in front of, when every one of the four reaches `res` through a hook
 * (no own property, no other prototype in between); then `hold` receives the calls.
 */
export function holdThroughPrototype(res: ServerResponse, hold: ResponseHold): Record<HeldMethod, AnyMethod> | undefined {
  const methods = res as unknown as Record<HeldMethod, Partial<Hook> | undefined>;
  const bases = {} as Record<HeldMethod, AnyMethod>;
  for (const name of HELD_METHODS) {
    const base = methods[name]?.[BASE];
    if (base === undefined || Object.prototype.hasOwnProperty.call(res, name)) return undefined;
    bases[name] = base;
  }
  holds.set(res, hold);
  return bases;
}

function hookRequest(request: object): void {
  hooked.add(request);
  if (Object.prototype.hasOwnProperty.call(request, 'session')) return;
  Object.defineProperty(request, 'session', {
    configurable: true,
    enumerable: false,
    get(this: object) {
      return sessions.get(this);
    },
    set(this: object, value: unknown) {
      Object.defineProperty(this, 'session', { configurable: true, enumerable: true, writable: true, value });
    },
  });
}

function hookResponse(response: object): void {
  hooked.add(response);
  const methods = response as Record<HeldMethod, AnyMethod | undefined>;
  for (const name of HELD_METHODS) {
    const base = methods[name];
    if (typeof base !== 'function' || (base as Partial<Hook>)[BASE] !== undefined) continue;
    const hook = function (this: ServerResponse) {
      const hold = holds.get(this);
      // eslint-disable-next-line prefer-rest-params
      if (hold === undefined) return base.apply(this, arguments as unknown as unknown[]);
      // eslint-disable-next-line prefer-rest-params
      return hold.invoke(this, name, Array.prototype.slice.call(arguments));
    } as Hook;
    hook[BASE] = base;
    Object.defineProperty(hook, 'name', { value: name });
    Object.defineProperty(response, name, { configurable: true, enumerable: false, writable: true, value: hook });
  }
}

function isObject(value: unknown): value is object {
  return value !== null && typeof value === 'object';
}
