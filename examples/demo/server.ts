import type { AddressInfo } from 'node:net';
import { defaultCookieResolver, HeaderSessionIdResolver, type SessionIdResolver, type SessionStore } from '@sessiongen/runtime';
import { AppSessionRepository } from '../../generated/index.js';
import { createDemoApp } from './app.js';
import { openStore } from './stores/open-store.js';

/** Starts the demo from environment variables; resolves with the listening server. */
export async function startDemo(env: NodeJS.ProcessEnv = process.env) {
  const store = await openStore(env);
  const timeout = env.SESSION_TIMEOUT_S;
  const repository = new AppSessionRepository(store, timeout === undefined ? {} : { maxInactiveInterval: parseTimeout(timeout) });
  const resolver = openResolver(env, store);
  const app = createDemoApp(repository, resolver);
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

function parseTimeout(value: string): number {
  const seconds = Number(value);
  if (!Number.isInteger(seconds)) throw new Error(`SESSION_TIMEOUT_S must be whole seconds, got '${value}'`);
  return seconds;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const demo = await startDemo();
  console.log(`sessiongen demo on http://localhost:${demo.port} (store: ${demo.store})`);
  const stop = () => void demo.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
