/**
 * sessiongen as users get it: both packages packed, installed into apps outside the repository
 * with only what each app uses, and run with plain `node` (no tsx, no vitest in the app):
 * - the tarballs hold every file their `exports` and `bin` name, and no tests, fixtures or sources;
 * - a memory-only app installs no generator dependency and builds no native module, `require()`s
 *   every entry from CommonJS without any driver installed, and names the missing driver when a
 *   store needs one;
 * - plain-JavaScript apps (generated with `--lang js`) serve the README's "Using it" routes over
 *   real HTTP on the memory and SQLite stores;
 * - TypeScript apps (`strict`, `nodenext`) compile against the packed types.
 * The install times and sizes it measures are printed for the README.
 */
import { cpSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inApp, install, newApp, packPackages, pinned, tarballFiles, type App, type Packs } from './packages.js';
import { Browser, startNodeApp } from './server.js';
import { typeCheckApp } from './type-check.js';

const APPS = resolve('test/consumer/apps');
const GENERATOR_PACKAGES = ['ts-morph', 'typescript', 'handlebars', 'ajv', '@ts-morph/common'];
const DRIVERS = ['knex', 'pg', 'mysql2', 'better-sqlite3', 'ioredis', 'redis', 'hazelcast-client', 'ws', 'fastify', 'express-session'];

let packs: Packs;
let memory: App;
let sqlite: App;
let typescript: App;
const figures: string[] = [];

/** Every file under a folder, relative to it. */
function walk(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? walk(path, base) : [path.slice(base.length + 1)];
  });
}

function sizeMb(dir: string): string {
  const bytes = walk(dir).reduce((sum, file) => sum + statSync(join(dir, file)).size, 0);
  return (bytes / 1024 / 1024).toFixed(1);
}

async function prepareMemoryApp(): Promise<App> {
  const app = newApp('memory');
  await install(app, [packs.runtime, pinned('express')]);
  figures.push(`memory app (runtime + express): ${app.installSeconds[0]!.toFixed(1)} s, node_modules ${sizeMb(join(app.dir, 'node_modules'))} MB`);
  return app;
}

async function prepareSqliteApp(): Promise<App> {
  const app = newApp('sqlite', ['better-sqlite3']);
  await install(app, [packs.runtime, pinned('express'), pinned('knex'), pinned('better-sqlite3')]);
  figures.push(`SQLite app (runtime + express + knex + better-sqlite3, built from source): ${app.installSeconds[0]!.toFixed(1)} s`);
  await install(app, [packs.cli], { dev: true });
  figures.push(`  + sessiongen CLI as a dev dependency: ${app.installSeconds[1]!.toFixed(1)} s, node_modules ${sizeMb(join(app.dir, 'node_modules'))} MB`);
  cpSync(join(APPS, 'js-app'), app.dir, { recursive: true });
  await inApp(app, 'npx', ['sessiongen', 'generate', '--lang', 'js']);
  return app;
}

async function prepareTypeScriptApp(): Promise<App> {
  const app = newApp('typescript');
  await install(app, [
    packs.runtime,
    pinned('express'),
    pinned('express-session'),
    pinned('fastify'),
    pinned('hono'),
    pinned('knex'),
  ]);
  await install(app, [packs.cli, pinned('typescript'), pinned('@types/node'), pinned('@types/express'), pinned('@types/express-session')], { dev: true });
  figures.push(`TypeScript app (runtime + express, express-session, fastify, hono; CLI, typescript and @types as dev): ${app.installSeconds.reduce((a, b) => a + b, 0).toFixed(1)} s`);
  return app;
}

beforeAll(async () => {
  packs = await packPackages();
  [memory, sqlite, typescript] = await Promise.all([prepareMemoryApp(), prepareSqliteApp(), prepareTypeScriptApp()]);
}, 600_000);

afterAll(() => {
  if (figures.length) console.log(`consumer installs on this machine:\n  ${figures.join('\n  ')}`);
});

describe('the tarballs', () => {
  it('@sessiongen/runtime holds the JavaScript, types and source maps of every export, and nothing else', async () => {
    const files = await tarballFiles(packs.runtime);
    const manifest = JSON.parse(readFileSync(resolve('runtime/package.json'), 'utf8')) as { exports: Record<string, string | Record<string, string>> };
    for (const [entry, target] of Object.entries(manifest.exports)) {
      if (typeof target === 'string') {
        expect(files, entry).toContain(target.replace(/^\.\//, ''));
        continue;
      }
      for (const condition of ['types', 'default']) {
        const file = target[condition]!.replace(/^\.\//, '');
        expect(files, `${entry} ${condition}`).toContain(file);
        if (condition === 'default') expect(files, `${entry} source map`).toContain(`${file}.map`);
      }
    }
    const strays = files.filter((file) => file !== 'package.json' && !/^dist\/.*\.(js|d\.ts|js\.map|d\.ts\.map)$/.test(file) && !/^(README|LICENSE)/i.test(file));
    expect(strays).toEqual([]);
  });

  it('sessiongen (the CLI) holds the compiled generator, its templates and the meta-schema, and no tests', async () => {
    const files = await tarballFiles(packs.cli);
    expect(files).toContain('bin/sessiongen.js');
    expect(files).toContain('dist/generator/cli/main.js');
    expect(files).toContain('schema/sessiongen.meta.schema.json');
    expect(files.filter((file) => file.startsWith('templates/')).length).toBeGreaterThan(10);
    const strays = files.filter((file) => !/^(package\.json|README|LICENSE|bin\/|dist\/generator\/|templates\/|schema\/sessiongen\.meta\.schema\.json$)/i.test(file));
    expect(strays).toEqual([]);
    expect(files.some((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))).toBe(false);
  });
});

describe('a memory-only app', () => {
  it('installs no generator dependency, no driver and builds no native module', () => {
    const installed = readdirSync(join(memory.dir, 'node_modules'));
    const scoped = installed.filter((name) => name.startsWith('@')).flatMap((scope) => readdirSync(join(memory.dir, 'node_modules', scope)).map((name) => `${scope}/${name}`));
    const all = [...installed, ...scoped];
    for (const name of [...GENERATOR_PACKAGES, ...DRIVERS]) expect(all, name).not.toContain(name);
    expect(walk(join(memory.dir, 'node_modules')).filter((file) => file.endsWith('.node'))).toEqual([]);
  });

  it('require()s every entry from CommonJS with no driver installed, loads none, and names the missing driver when a store needs it', async () => {
    cpSync(join(APPS, 'cjs-require'), memory.dir, { recursive: true });
    const { stdout } = await inApp(memory, process.execPath, ['check.cjs']);
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
      loaded: Record<string, string[]>;
      driversLoaded: string[];
      missing: Array<{ name: string; packageName?: string; message: string }>;
    };
    expect(result.loaded['.']).toEqual(expect.arrayContaining(['SessionRepository', 'MemorySessionStore', 'CookieSessionIdResolver', 'HeaderSessionIdResolver']));
    expect(result.loaded['/sql']).toContain('SqlSessionStore');
    expect(result.loaded['/redis']).toEqual(expect.arrayContaining(['RedisSessionStore', 'createRedisSessionClient', 'createNodeRedisSessionClient']));
    expect(result.loaded['/hazelcast']).toContain('HazelcastSessionStore');
    // The Geode store speaks REST with the global fetch: no driver to load or miss.
    expect(result.loaded['/geode']).toContain('GeodeSessionStore');
    expect(result.loaded['/spring']).toEqual(expect.arrayContaining(['SpringRedisSessionStore', 'SpringJdbcSessionStore']));
    expect(result.loaded['/express']).toContain('sessionMiddleware');
    expect(result.loaded['/fetch']).toContain('withSession');
    expect(result.driversLoaded).toEqual([]);
    expect(result.missing.map((m) => [m.name, m.packageName])).toEqual([
      ['MissingDependencyError', 'ioredis'],
      ['MissingDependencyError', 'redis'],
      ['MissingDependencyError', 'hazelcast-client'],
    ]);
    expect(result.missing[0]!.message).toMatch(/npm install ioredis/);
    expect(result.missing[1]!.message).toMatch(/npm install redis/);
  });
});

/** The README's "Using it" routes, as a browser uses them, against an app running with plain node. */
async function usingItRoutes(base: string): Promise<string> {
  const alice = new Browser(base);
  expect((await alice.request('GET', '/me')).json).toBeNull();
  const put = await alice.request('PUT', '/cart', [{ sku: 'ABC-1', quantity: 2, unitPriceCents: 250 }]);
  expect(put.status).toBe(204);
  expect(put.setCookie).toMatch(/^SESSION=[0-9a-f-]{36}; Path=\/; HttpOnly; SameSite=Lax/);
  const bad = await alice.request('PUT', '/cart', [{ sku: 'ABC-1', quantity: 0, unitPriceCents: 250 }]);
  expect(bad.status).toBe(400);
  expect(bad.json).toMatchObject({ path: '/cart/0/quantity' });
  expect((await alice.request('GET', '/me')).json).toEqual({ principalName: null, cart: [{ sku: 'ABC-1', quantity: 2, unitPriceCents: 250 }], locale: 'en-GB' });
  const before = alice.cookie;
  const login = await alice.request('POST', '/login', { name: 'alice' });
  expect(login.status).toBe(200);
  expect(alice.cookie).not.toBe(before);
  const id = (login.json as { id: string }).id;
  expect(alice.cookie).toBe(`SESSION=${id}`);
  expect((await alice.request('GET', '/sessions/alice')).json).toEqual([id]);
  // The old id, moments after the login changed it: a retryable 409, no session read or made, no cookie.
  const stale = new Browser(base);
  stale.cookie = before;
  const moved = await stale.request('GET', '/me');
  expect(moved.status).toBe(409);
  expect(moved.json).toMatchObject({ reason: 'moved', status: 409 });
  expect(moved.setCookie).toBeNull();
  return id;
}

describe('a plain-JavaScript app (generated with --lang js), run with node', () => {
  it('generates JavaScript and declarations only', () => {
    const generated = walk(join(sqlite.dir, 'generated'));
    expect(generated).toContain('index.js');
    expect(generated).toContain('index.d.ts');
    expect(generated.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))).toEqual([]);
  });

  it('serves the README routes on the memory store', async () => {
    const server = await startNodeApp(sqlite.dir, 'app.mjs', { SESSION_STORE: 'memory' });
    try {
      const id = await usingItRoutes(server.url);
      const alice = new Browser(server.url);
      alice.cookie = `SESSION=${id}`;
      expect((await alice.request('POST', '/logout')).status).toBe(204);
      expect(alice.cookie).toBeNull();
      expect((await new Browser(server.url).request('GET', '/sessions/alice')).json).toEqual([]);
    } finally {
      await server.stop();
    }
  });

  it('serves the README routes on SQLite, migrated by `npx sessiongen migrate`, and keeps sessions across a restart', async () => {
    const migrate = await inApp(sqlite, 'npx', ['sessiongen', 'migrate', '--url', 'sqlite:sessions.db']);
    expect(migrate.stdout).toMatch(/applied 0001_initial/);
    let server = await startNodeApp(sqlite.dir, 'app.mjs', { SESSION_STORE: 'sqlite' });
    let id: string;
    try {
      id = await usingItRoutes(server.url);
    } finally {
      await server.stop();
    }
    server = await startNodeApp(sqlite.dir, 'app.mjs', { SESSION_STORE: 'sqlite' });
    try {
      const alice = new Browser(server.url);
      alice.cookie = `SESSION=${id}`;
      expect((await alice.request('GET', '/me')).json).toMatchObject({ principalName: 'alice' });
      expect((await alice.request('POST', '/logout')).status).toBe(204);
      expect((await alice.request('GET', '/me')).json).toBeNull();
    } finally {
      await server.stop();
    }
  });
});

describe('TypeScript apps (strict, nodenext, skipLibCheck false) compile against the packed types', () => {
  const apps = readdirSync(APPS).filter((name) => existsSync(join(APPS, name, 'tsconfig.json')));

  it('finds the apps', () => {
    expect(apps.sort()).toEqual(['ts-express', 'ts-express-session', 'ts-fastify', 'ts-hono']);
  });

  for (const name of apps) {
    it(`${name} compiles clean, and its misuse.ts fails on exactly the marked lines`, async () => {
      const dir = join(typescript.dir, name);
      cpSync(join(APPS, name), dir, { recursive: true });
      await inApp(typescript, 'npx', ['sessiongen', 'generate', '--schema', join(APPS, 'schema.json'), '--out', join(dir, 'generated')]);
      const result = typeCheckApp(dir);
      expect(result.unexpected, result.unexpected.join('\n')).toEqual([]);
      expect(result.marked.length).toBeGreaterThan(0);
      expect(result.misuse).toEqual(result.marked);
    });
  }
});
