/**
 * Apache Geode servers for the tests: the project's launcher (test/services/geode/, a Java class
 * and a pom.xml) built with Maven from Maven Central jars (cached in ~/.m2), run with `java -cp`
 * and Geode's own gemfire.* system properties, loading the GENERATED cache.xml
 * (generated/geode/cache.xml) as it is. Each server runs an embedded locator too, so a second one
 * can join it and either can be killed. Ports are free ones the OS picks; servers stop by pid.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort } from './port.js';

export const GEODE_VERSION = '1.15.1';
export const GENERATED_CACHE_XML = resolve('generated/geode/cache.xml');
const PROJECT = resolve('test/services/geode');
const TARGET = join(PROJECT, 'target');
const CLASSPATH_FILE = join(TARGET, 'classpath.txt');
const LAUNCHER_SOURCE = join(PROJECT, 'src/main/java/dev/sessiongen/geode/TestServer.java');
const LAUNCHER_CLASS = join(TARGET, 'classes/dev/sessiongen/geode/TestServer.class');

const HOW_TO_GET =
  'install a Java 17+ JDK and Maven (Debian/Ubuntu: `apt-get install openjdk-17-jdk-headless maven`); the tests then build ' +
  `test/services/geode/ with \`mvn -q -f test/services/geode/pom.xml compile\`, which fetches Apache Geode ${GEODE_VERSION} ` +
  '(geode-core, geode-log4j, geode-http-service, the geode-web-api WAR) from Maven Central into ~/.m2';

function has(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

function newer(a: string, b: string): boolean {
  return statSync(a).mtimeMs > statSync(b).mtimeMs;
}

/**
 * The launcher's classpath: compiles it and resolves Geode's jars with Maven when that was not
 * done yet (or the pom or launcher changed); fails saying what to install.
 */
export function ensureGeodeLauncher(): string {
  if (!has('java')) throw new Error(`Geode servers need java, which is not installed: ${HOW_TO_GET}`);
  const built = existsSync(CLASSPATH_FILE) && existsSync(LAUNCHER_CLASS) && existsSync(join(TARGET, 'geode-web-api.war'));
  if (!built || newer(join(PROJECT, 'pom.xml'), CLASSPATH_FILE) || newer(LAUNCHER_SOURCE, LAUNCHER_CLASS)) {
    if (!has('mvn')) throw new Error(`the Geode launcher is not built and mvn is not installed to build it: ${HOW_TO_GET}`);
    try {
      execFileSync('mvn', ['-q', '-f', join(PROJECT, 'pom.xml'), 'compile'], { stdio: 'pipe', timeout: 900_000 });
    } catch (err) {
      const e = err as { stdout?: Buffer; stderr?: Buffer; message: string };
      throw new Error(`mvn could not build the Geode launcher (${HOW_TO_GET}): ${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? ''}${e.message}`);
    }
  }
  // The REST app's WAR is found on the classpath by its name (geode-web-api.war).
  return [join(TARGET, 'classes'), readFileSync(CLASSPATH_FILE, 'utf8').trim(), join(TARGET, 'geode-web-api.war')].join(':');
}

export interface GeodeServerOptions {
  /** The cache.xml to load (the generated one). */
  cacheXml: string;
  /** A name unique in its cluster. */
  name: string;
  /** Ports of the cluster's locators, this server's own first; default: one of its own on a free port. */
  locatorPorts?: number[];
  /** Max heap, default 256m. */
  heap?: string;
  /** Full JIT (for benchmarks); tests use C1 only, which starts faster and uses less CPU. */
  fullJit?: boolean;
}

export interface RunningGeodeServer {
  readonly name: string;
  /** The Developer REST API base: `http://127.0.0.1:<port>/geode/v1`. */
  readonly url: string;
  readonly httpPort: number;
  readonly locatorPort: number;
  readonly pid: number;
  readonly log: string;
  /** Graceful stop (SIGTERM closes the cache), then SIGKILL after 20 s; by process id. */
  stop(): Promise<void>;
  /** SIGKILL, no goodbye: what a crashed server looks like to the cluster. */
  kill(): Promise<void>;
}

/** Starts one server and resolves once its REST API answers; fails with the server's output otherwise. */
export async function startGeodeServer(options: GeodeServerOptions): Promise<RunningGeodeServer> {
  const classpath = ensureGeodeLauncher();
  const locatorPort = options.locatorPorts?.[0] ?? (await freePort());
  const locators = (options.locatorPorts ?? [locatorPort]).map((port) => `127.0.0.1[${port}]`).join(',');
  const httpPort = await freePort();
  // Its working directory (logs, the locator's view files): one per server name, emptied first.
  const dir = resolve(`.test-results/geode/${options.name}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const log = join(dir, 'server.log');
  const properties: Record<string, string> = {
    name: options.name,
    'mcast-port': '0',
    'bind-address': '127.0.0.1',
    'start-locator': `127.0.0.1[${locatorPort}]`,
    locators,
    'jmx-manager': 'false',
    'enable-cluster-configuration': 'false',
    'use-cluster-configuration': 'false',
    'cache-xml-file': options.cacheXml,
    'start-dev-rest-api': 'true',
    'http-service-bind-address': '127.0.0.1',
    'http-service-port': String(httpPort),
    'log-file': log,
    'log-level': 'config',
    // Two test servers are a cluster of equals: one killed must not make the other leave as the
    // losing side of a network partition. A crashed member is noticed within a few seconds.
    'enable-network-partition-detection': 'false',
    'member-timeout': '2000',
  };
  const args = [
    `-Xmx${options.heap ?? '256m'}`,
    '-Xss512k',
    '-XX:+UseSerialGC',
    ...(options.fullJit ? [] : ['-XX:TieredStopAtLevel=1']),
    // What Geode 1.15 needs opened on Java 17 (as its gfsh passes): members talk through NIO buffers.
    '--add-exports=java.base/sun.nio.ch=ALL-UNNAMED',
    '--add-exports=java.management/com.sun.jmx.remote.security=ALL-UNNAMED',
    '--add-opens=java.base/java.lang=ALL-UNNAMED',
    '--add-opens=java.base/java.nio=ALL-UNNAMED',
    '-cp',
    classpath,
    ...Object.entries(properties).map(([key, value]) => `-Dgemfire.${key}=${value}`),
    'dev.sessiongen.geode.TestServer',
  ];
  const out = createWriteStream(join(dir, 'stdout.log'));
  const child: ChildProcess = spawn('java', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  let output = '';
  const collect = (chunk: Buffer) => {
    if (output.length < 200_000) output += chunk.toString();
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  const pid = child.pid!;
  const signal = async (name: NodeJS.Signals, graceMs: number) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    process.kill(pid, name);
    const timer = setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGKILL');
    }, graceMs);
    await exited;
    clearTimeout(timer);
  };
  const url = `http://127.0.0.1:${httpPort}/geode/v1`;
  const server: RunningGeodeServer = {
    name: options.name,
    url,
    httpPort,
    locatorPort,
    pid,
    log,
    stop: () => signal('SIGTERM', 20_000),
    kill: () => signal('SIGKILL', 5_000),
  };
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the Geode server ${options.name} (cache ${options.cacheXml}) exited before it started:\n${tail(output)}\n(log: ${log})`);
    }
    if (Date.now() > deadline) {
      await server.kill();
      throw new Error(`the Geode server ${options.name} did not start within 180 s:\n${tail(output)}\n(log: ${log})`);
    }
    if (output.includes('sessiongen geode server ready') && (await answers(`${url}/ping`))) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  // The launcher names the regions it hosts: exactly those of the cache.xml it was given.
  const hosted = output.match(/sessiongen geode server ready; regions (\S*)/)![1]!.split(',').filter(Boolean).sort();
  const declared = [...readFileSync(options.cacheXml, 'utf8').matchAll(/<region name="([^"]+)">/g)].map((match) => match[1]!).sort();
  if (hosted.join() !== declared.join()) {
    await server.stop();
    throw new Error(`the Geode server ${options.name} hosts regions ${hosted.join(', ')}, not ${declared.join(', ')} of ${options.cacheXml}`);
  }
  return server;
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

function tail(text: string): string {
  return text.split('\n').slice(-40).join('\n');
}

/**
 * The global-setup starter: one server from the generated cache.xml for the whole run (the
 * conformance suite, the demo suite and the other Geode tests share it), announced as GEODE_URL.
 */
export async function startGeodeForTests(): Promise<() => Promise<void>> {
  let server: RunningGeodeServer;
  try {
    server = await startGeodeServer({ cacheXml: GENERATED_CACHE_XML, name: 'sessiongen-test' });
  } catch (err) {
    throw new Error(`Geode is needed by the tests and could not be started: ${(err as Error).message}`);
  }
  process.env.GEODE_URL = server.url;
  return () => server.stop();
}
