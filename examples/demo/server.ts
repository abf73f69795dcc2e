import type { AddressInfo } from 'node:net';
import { defaultCookieResolver, HeaderSessionIdResolver, type RepositoryOptions, type SessionIdResolver, type SessionStore } from '@sessiongen/runtime';
import { AppSessionRepository } from '../../generated/index.js';
import { createDemoApp } from './app.js';
import { openStore } from './stores/open-store.js';

/** Starts the demo from environment variables; resolves with the listening server. */
export async function startDemo(env: NodeJS.ProcessEnv = process.env) {
  const options = repositoryOptions(env);
  // Behind a proxy (SESSION_TRUST_PROXY=true), the client's address is the one that proxy saw.
  const trustProxy = choice(env, 'SESSION_TRUST_PROXY', { true: 1, false: false }, false);
  const store = await openStore(env);
  let repository: AppSessionRepository;
  let resolver: SessionIdResolver;
  try {
    repository = new AppSessionRepository(store, options);
    resolver = openResolver(env, store);
  } catch (err) {
    await store.close();
    throw err;
  }
  const app = createDemoApp(repository, resolver, { trustProxy });
  const server = app.listen(Number(env.PORT ?? 3000));
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const close = async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await repository.close();
  };
  return { server, repository, close, port: (server.address() as AddressInfo).port, store: env.SESSION_STORE ?? 'sqlite' };
}

/**
 * SESSION_RESOLVER: `cookie` (default) or `header`. For the cookie: SESSION_COOKIE_SECURE `auto`
 * (default: Secure when the request came over https), `true` or `false`; SESSION_TRUST_PROXY
 * `true` to believe a proxy's `X-Forwarded-Proto: https` for that (only behind a proxy that sets
 * it; default `false`). The cookie takes the store's form: Spring's base64 with SESSION_COMPAT=spring.
 */
function openResolver(env: NodeJS.ProcessEnv, store: SessionStore): SessionIdResolver {
  const kind = env.SESSION_RESOLVER ?? 'cookie';
  if (kind === 'cookie') {
    return defaultCookieResolver(store, {
      secure: choice(env, 'SESSION_COOKIE_SECURE', { auto: 'auto', true: true, false: false }, 'auto'),
      trustProxy: choice(env, 'SESSION_TRUST_PROXY', { true: true, false: false }, false),
    });
  }
  if (kind === 'header') return new HeaderSessionIdResolver();
  throw new Error(`SESSION_RESOLVER=${kind} is not one of: cookie, header`);
}

/** The value an environment variable names, or `fallback` when unset; anything else fails saying what is allowed. */
function choice<T>(env: NodeJS.ProcessEnv, name: string, values: Record<string, T>, fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!Object.hasOwn(values, raw)) throw new Error(`${name}=${raw} is not one of: ${Object.keys(values).join(', ')}`);
  return values[raw]!;
}

/**
 * The repository's settings, over the schema's: SESSION_TIMEOUT_S (idle timeout),
 * SESSION_ABSOLUTE_TIMEOUT_S (sessions end this long after creation however active; 0 = none),
 * SESSION_MAX_PER_PRINCIPAL (at most this many sessions per user; 0 = no limit) with
 * SESSION_MAX_PER_PRINCIPAL_POLICY `end-least-recently-used` (default) or `refuse`, and
 * SESSION_TOUCH_INTERVAL_S (a request that changes nothing writes at most once per this many seconds).
 * Each is checked before anything is served.
 */
function repositoryOptions(env: NodeJS.ProcessEnv): RepositoryOptions {
  const options: RepositoryOptions = {};
  const timeout = seconds(env, 'SESSION_TIMEOUT_S');
  if (timeout !== undefined) options.maxInactiveInterval = timeout;
  const absolute = seconds(env, 'SESSION_ABSOLUTE_TIMEOUT_S');
  if (absolute !== undefined) options.absoluteTimeout = absolute === 0 ? null : absolute;
  const touch = seconds(env, 'SESSION_TOUCH_INTERVAL_S');
  if (touch !== undefined) options.touchInterval = touch;
  const max = seconds(env, 'SESSION_MAX_PER_PRINCIPAL');
  const policy = choice(env, 'SESSION_MAX_PER_PRINCIPAL_POLICY', { 'end-least-recently-used': 'end-least-recently-used', refuse: 'refuse' } as const, 'end-least-recently-used');
  if (max !== undefined) options.maxSessionsPerPrincipal = max === 0 ? null : { max, policy };
  return options;
}

/** A whole number from an environment variable, or undefined when unset. */
function seconds(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  const number = Number(value);
  if (!Number.isInteger(number)) throw new Error(`${name} must be a whole number, got '${value}'`);
  return number;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const demo = await startDemo();
  console.log(`sessiongen demo on http://localhost:${demo.port} (store: ${demo.store})`);
  const stop = () => void demo.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
