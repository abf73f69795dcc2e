/**
 * Hazelcast members for the tests: the community jar fetched with Maven (cached in ~/.m2), run with
 * `java -cp … HazelcastMemberStarter` and `-Dhazelcast.config=` pointing at the GENERATED member
 * config (generated/hazelcast/member.xml or member.yaml). Network, cluster name and the test-only
 * expiry tuning are passed as system properties; the generated file is loaded as it is.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { isListening } from './port.js';

export const HAZELCAST_VERSION = '5.5.0';
export const HAZELCAST_JAR = join(homedir(), '.m2/repository/com/hazelcast/hazelcast', HAZELCAST_VERSION, `hazelcast-${HAZELCAST_VERSION}.jar`);
export const GENERATED_MEMBER_XML = resolve('generated/hazelcast/member.xml');
export const GENERATED_MEMBER_YAML = resolve('generated/hazelcast/member.yaml');
/** The conformance suite's member: ports 5801-5810 (first free), cluster `sessiongen-test`. */
const CONFORMANCE_PORTS = [5801, 5802, 5803, 5804, 5805, 5806, 5807, 5808, 5809, 5810];
export const TEST_CLUSTER_NAME = 'sessiongen-test';

const HOW_TO_GET =
  'install a Java 17+ runtime and Maven (Debian/Ubuntu: `apt-get install openjdk-17-jre-headless maven`); the tests then fetch ' +
  `com.hazelcast:hazelcast:${HAZELCAST_VERSION} with \`mvn -q dependency:get -Dartifact=com.hazelcast:hazelcast:${HAZELCAST_VERSION}\``;

function has(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

/** Makes sure java is there and the jar is in ~/.m2 (fetching it with Maven); fails saying what to install. */
export function ensureHazelcastJar(): string {
  if (!has('java')) throw new Error(`Hazelcast members need java, which is not installed: ${HOW_TO_GET}`);
  if (existsSync(HAZELCAST_JAR)) return HAZELCAST_JAR;
  if (!has('mvn')) throw new Error(`the Hazelcast jar is not in ~/.m2 and mvn is not installed to fetch it: ${HOW_TO_GET}`);
  try {
    execFileSync('mvn', ['-q', 'dependency:get', `-Dartifact=com.hazelcast:hazelcast:${HAZELCAST_VERSION}`], { stdio: 'pipe', timeout: 600_000 });
  } catch (err) {
    const e = err as { stdout?: Buffer; stderr?: Buffer; message: string };
    throw new Error(`mvn could not fetch com.hazelcast:hazelcast:${HAZELCAST_VERSION}: ${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? ''}${e.message}`);
  }
  if (!existsSync(HAZELCAST_JAR)) throw new Error(`mvn ran but ${HAZELCAST_JAR} is missing`);
  return HAZELCAST_JAR;
}

export interface MemberOptions {
  /** The member config file to load (the generated XML or YAML). */
  config: string;
  port: number;
  clusterName: string;
  /** Every member's port of the cluster (TCP-IP join on 127.0.0.1), this one included. */
  clusterPorts?: number[];
  /** Max heap, default 256m. */
  heap?: string;
  /** Full JIT (for benchmarks); tests use C1 only, which starts faster and uses less CPU. */
  fullJit?: boolean;
}

export interface RunningMember {
  readonly port: number;
  readonly pid: number;
  readonly log: string;
  /** Graceful stop (SIGTERM), then SIGKILL after 15 s; by process id. */
  stop(): Promise<void>;
  /** SIGKILL, no goodbye: what a crashed member looks like to the cluster. */
  kill(): Promise<void>;
}

/** Starts one member and resolves once it says it is STARTED; fails with the member's log otherwise. */
export async function startHazelcastMember(options: MemberOptions): Promise<RunningMember> {
  const jar = ensureHazelcastJar();
  if (await isListening(options.port)) throw new Error(`port ${options.port} is already taken: cannot start a Hazelcast member there`);
  mkdirSync('.test-results', { recursive: true });
  const log = resolve(`.test-results/hazelcast-${options.port}.log`);
  const members = (options.clusterPorts ?? [options.port]).map((port) => `127.0.0.1:${port}`).join(',');
  const args = [
    `-Xmx${options.heap ?? '256m'}`,
    '-Xss512k',
    '-XX:+UseSerialGC',
    ...(options.fullJit ? [] : ['-XX:TieredStopAtLevel=1']),
    '-cp',
    jar,
    `-Dhazelcast.config=${options.config}`,
    `-Dhz.cluster-name=${options.clusterName}`,
    `-Dhz.network.port.port=${options.port}`,
    '-Dhz.network.port.auto-increment=false',
    '-Dhz.network.join.multicast.enabled=false',
    '-Dhz.network.join.tcp-ip.enabled=true',
    `-Dhz.network.join.tcp-ip.members=${members}`,
    '-Dhazelcast.local.localAddress=127.0.0.1',
    '-Dhazelcast.phone.home.enabled=false',
    '-Dhazelcast.partition.count=71',
    // Test-only: find expired entries within a second or two (defaults: every 5 s, a few partitions at a time).
    '-Dhazelcast.internal.map.expiration.task.period.seconds=1',
    '-Dhazelcast.internal.map.expiration.cleanup.percentage=100',
    '-Dhazelcast.internal.map.expiration.cleanup.operation.count=71',
    'com.hazelcast.core.server.HazelcastMemberStarter',
  ];
  const out = createWriteStream(log);
  const child: ChildProcess = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'] });
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
  const member: RunningMember = {
    port: options.port,
    pid,
    log,
    stop: () => signal('SIGTERM', 15_000),
    kill: () => signal('SIGKILL', 5_000),
  };
  const deadline = Date.now() + 120_000;
  while (!/is STARTED/.test(output)) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the Hazelcast member on port ${options.port} (config ${options.config}) exited before it started:\n${tail(output)}`);
    }
    if (Date.now() > deadline) {
      await member.kill();
      throw new Error(`the Hazelcast member on port ${options.port} did not start within 120 s:\n${tail(output)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!output.includes(`Using configuration file at ${options.config}`) && !output.includes(options.config)) {
    await member.stop();
    throw new Error(`the Hazelcast member on port ${options.port} did not load ${options.config}:\n${tail(output)}`);
  }
  return member;
}

/** The first port of `ports` nothing listens on. */
export async function freePort(ports: number[]): Promise<number> {
  for (const port of ports) if (!(await isListening(port))) return port;
  throw new Error(`all of ports ${ports[0]}-${ports[ports.length - 1]} are taken`);
}

function tail(text: string): string {
  return text.split('\n').slice(-40).join('\n');
}

/** Whether a member's log shows it joined a cluster of `size` members. */
export function memberLogShowsClusterOf(log: string, size: number): boolean {
  return readFileSync(log, 'utf8').includes(`Members {size:${size},`);
}

/**
 * The global-setup starter: one member from the generated XML for the whole run (the conformance
 * suite and the other Hazelcast tests share it), announced as HAZELCAST_MEMBERS /
 * HAZELCAST_CLUSTER_NAME.
 */
export async function startHazelcastForTests(): Promise<() => Promise<void>> {
  let member: RunningMember;
  try {
    const port = await freePort(CONFORMANCE_PORTS);
    member = await startHazelcastMember({ config: GENERATED_MEMBER_XML, port, clusterName: TEST_CLUSTER_NAME });
  } catch (err) {
    throw new Error(`Hazelcast is needed by the tests and could not be started: ${(err as Error).message}`);
  }
  process.env.HAZELCAST_MEMBERS = `127.0.0.1:${member.port}`;
  process.env.HAZELCAST_CLUSTER_NAME = TEST_CLUSTER_NAME;
  return () => member.stop();
}
