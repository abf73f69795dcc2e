/**
 * The packages as users get them: `npm pack` of the CLI (`sessiongen`) and of the runtime
 * (`@sessiongen/runtime`), and temporary apps outside the repository that install the tarballs
 * with only the packages each app uses, at the versions this repository's lockfile pins (so the
 * npm cache serves them).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** The environment without npm's own `npm_*` variables, so a nested npm acts on the folder it runs in. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_')));
  return { ...env, ...extra };
}

function run(command: string, args: string[], options: { cwd: string; timeout?: number; maxBuffer?: number; env?: NodeJS.ProcessEnv }) {
  return execFileAsync(command, args, { maxBuffer: 16 * 1024 * 1024, ...options, env: options.env ?? cleanEnv() });
}
const REPO = resolve('.');
const LOCK = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> };

export interface Packs {
  dir: string;
  cli: string;
  runtime: string;
}

/** Builds once, then packs both packages into a temp folder outside the repository. */
export async function packPackages(): Promise<Packs> {
  const dir = mkdtempSync(join(tmpdir(), 'sessiongen-packs-'));
  await run('npm', ['run', 'build', '--silent'], { cwd: REPO });
  // Built just above: --ignore-scripts keeps the two packs from rebuilding at the same time.
  await run('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: REPO });
  await run('npm', ['pack', '--ignore-scripts', '-w', 'runtime', '--pack-destination', dir], { cwd: REPO });
  const files = readdirSync(dir);
  const find = (prefix: string) => join(dir, files.find((file) => file.startsWith(prefix) && file.endsWith('.tgz'))!);
  return { dir, cli: find('sessiongen-0'), runtime: find('sessiongen-runtime-') };
}

/** The files in a tarball, without the leading `package/`. */
export async function tarballFiles(tarball: string): Promise<string[]> {
  const { stdout } = await run('tar', ['tzf', tarball], { cwd: tmpdir() });
  return stdout.split('\n').filter(Boolean).map((line) => line.replace(/^package\//, ''));
}

/** A package at the version this repository's lockfile pins: `express@5.3.0`. */
export function pinned(name: string): string {
  const version = LOCK.packages[`node_modules/${name}`]?.version;
  if (!version) throw new Error(`${name} is not in package-lock.json`);
  return `${name}@${version}`;
}

export interface App {
  dir: string;
  /** Seconds each `npm install` took, in order. */
  installSeconds: number[];
}

/** A new app folder outside the repository: an ES module package that may run native installs it names. */
export function newApp(name: string, allowScripts: string[] = []): App {
  const dir = mkdtempSync(join(tmpdir(), `sessiongen-app-${name}-`));
  const manifest = { name: `sessiongen-consumer-${name}`, private: true, type: 'module', allowScripts: Object.fromEntries(allowScripts.map((pkg) => [pkg, true])) };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  mkdirSync(join(dir, 'schema'));
  writeFileSync(join(dir, 'schema', 'app-session.schema.json'), readFileSync(join(REPO, 'schema', 'app-session.schema.json')));
  return { dir, installSeconds: [] };
}

/** `npm install` in the app (from the npm cache where it can), timed. */
export async function install(app: App, specs: string[], options: { dev?: boolean } = {}): Promise<void> {
  const started = performance.now();
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...(options.dev ? ['--save-dev'] : []), ...specs], {
    cwd: app.dir,
    timeout: 300_000,
  });
  app.installSeconds.push((performance.now() - started) / 1000);
}

/** Runs a command in the app; resolves with its output, rejects with the output in the message. */
export async function inApp(app: App, command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ stdout: string; stderr: string }> {
  try {
    return await run(command, args, { cwd: app.dir, env: cleanEnv(env), timeout: 120_000 });
  } catch (err) {
    const failed = err as Error & { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${app.dir}: ${failed.message}\n${failed.stdout ?? ''}\n${failed.stderr ?? ''}`);
  }
}
