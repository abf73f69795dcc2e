/**
 * The Spring Session test program (test/spring/java/): built on first use with Maven (the jars of
 * pom.xml, from Maven Central into ~/.m2 and a build folder) and javac (its sources and the Java
 * files generated/spring/LAYOUT.md embeds, templates/spring/java/), skipped when nothing changed,
 * and run with `java -cp`. Every build says what it cost.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const JAVA_DIR = resolve('test/spring/java');
const SOURCE_DIRS = [join(JAVA_DIR, 'src'), resolve('templates/spring/java')];
const BUILD_DIR = resolve('.test-results/spring-java');
const STAMP = join(BUILD_DIR, 'stamp.json');
const MAIN_CLASS = 'SpringSessionCli';

const HOW_TO_GET =
  'install a Java 17+ JDK and Maven (Debian/Ubuntu: `apt-get install openjdk-17-jdk-headless maven`); the tests fetch ' +
  'Spring Session and its dependencies from Maven Central (test/spring/java/pom.xml) on first use';

/** What a build cost (or that it was skipped), for the test output. */
export interface JavaBuildReport {
  upToDate: boolean;
  /** Seconds for `mvn dependency:copy-dependencies` (a download from Maven Central on a fresh machine). */
  mavenSeconds: number;
  javacSeconds: number;
  totalSeconds: number;
  /** How many jars the program runs with. */
  jars: number;
}

function sources(): string[] {
  return SOURCE_DIRS.flatMap((dir) => readdirSync(dir).filter((name) => name.endsWith('.java')).map((name) => join(dir, name))).sort();
}

/** Changes when the pom, a source or the JDK changes. */
function inputsHash(): string {
  const hash = createHash('sha256');
  hash.update(execFileSync('javac', ['-version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
  for (const file of [join(JAVA_DIR, 'pom.xml'), ...sources()]) hash.update(file).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex');
}

function has(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

function run(command: string, args: string[], what: string): void {
  try {
    execFileSync(command, args, { stdio: 'pipe', timeout: 900_000, maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    const e = err as { stdout?: Buffer; stderr?: Buffer; message: string };
    throw new Error(`${what} failed: ${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? ''}${e.message}`);
  }
}

/**
 * Builds the program unless the last build had the same inputs; resolves with what it cost. Two
 * test processes building at once wait for each other (a lock folder).
 */
export async function buildJavaProgram(): Promise<JavaBuildReport> {
  for (const command of ['java', 'javac', 'mvn']) if (!has(command)) throw new Error(`the Spring round-trip tests need ${command}, which is not installed: ${HOW_TO_GET}`);
  mkdirSync(BUILD_DIR, { recursive: true });
  const lock = join(BUILD_DIR, 'lock');
  const deadline = Date.now() + 900_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`${lock} held for 15 minutes: remove it if no test run is building`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    const started = performance.now();
    const hash = inputsHash();
    const previous = existsSync(STAMP) ? (JSON.parse(readFileSync(STAMP, 'utf8')) as { hash: string; report: JavaBuildReport }) : undefined;
    if (previous?.hash === hash && existsSync(join(BUILD_DIR, 'classes', `${MAIN_CLASS}.class`))) {
      return { ...previous.report, upToDate: true, totalSeconds: seconds(started) };
    }
    rmSync(join(BUILD_DIR, 'lib'), { recursive: true, force: true });
    rmSync(join(BUILD_DIR, 'classes'), { recursive: true, force: true });
    const maven = performance.now();
    run('mvn', ['-q', '-B', '-f', join(JAVA_DIR, 'pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${join(BUILD_DIR, 'lib')}`], 'Maven (fetching Spring Session from Maven Central)');
    const mavenSeconds = seconds(maven);
    const javac = performance.now();
    run('javac', ['-encoding', 'UTF-8', '-nowarn', '-d', join(BUILD_DIR, 'classes'), '-cp', join(BUILD_DIR, 'lib', '*'), ...sources()], 'javac');
    const report: JavaBuildReport = {
      upToDate: false,
      mavenSeconds,
      javacSeconds: seconds(javac),
      totalSeconds: seconds(started),
      jars: readdirSync(join(BUILD_DIR, 'lib')).filter((name) => name.endsWith('.jar')).length,
    };
    writeFileSync(STAMP, JSON.stringify({ hash, report }, null, 2));
    return report;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function seconds(since: number): number {
  return Math.round((performance.now() - since) / 100) / 10;
}

/** A jar of the built program's class path whose file name starts with `artifact-` (after {@link buildJavaProgram}). */
export function programJar(artifact: string): string {
  const name = readdirSync(join(BUILD_DIR, 'lib')).find((file) => file.startsWith(`${artifact}-`) && file.endsWith('.jar'));
  if (!name) throw new Error(`no ${artifact} jar in ${join(BUILD_DIR, 'lib')}`);
  return join(BUILD_DIR, 'lib', name);
}

export function describeBuild(report: JavaBuildReport): string {
  return report.upToDate
    ? `Spring Session test program up to date (checked in ${report.totalSeconds} s; last build: Maven ${report.mavenSeconds} s, javac ${report.javacSeconds} s, ${report.jars} jars)`
    : `Spring Session test program built in ${report.totalSeconds} s (Maven dependencies ${report.mavenSeconds} s, javac ${report.javacSeconds} s, ${report.jars} jars)`;
}

type Reply = Record<string, unknown> & { ok: boolean; error?: string };

/** The running program: one JSON command per line in, one JSON reply per line out, in order. */
export class JavaProgram {
  private readonly replies: Array<(reply: Reply) => void> = [];
  private tail: Promise<unknown> = Promise.resolve();
  private stderr = '';
  private exited = false;

  private constructor(private readonly child: ChildProcess) {
    child.stderr!.on('data', (chunk: Buffer) => {
      if (this.stderr.length < 100_000) this.stderr += chunk.toString();
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const next = this.replies.shift();
      if (next) next(JSON.parse(line) as Reply);
    });
    child.once('exit', () => {
      this.exited = true;
      for (const next of this.replies.splice(0)) next({ ok: false, error: `the Java program exited:\n${this.stderr.slice(-4000)}` });
    });
  }

  /** Starts the program (after {@link buildJavaProgram}) and waits for its ready line. */
  static async start(): Promise<JavaProgram> {
    const classpath = [join(BUILD_DIR, 'classes'), join(BUILD_DIR, 'lib', '*')].join(':');
    const child = spawn('java', ['-Xmx256m', '-Xss512k', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-cp', classpath, MAIN_CLASS], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const program = new JavaProgram(child);
    const ready = await new Promise<Reply>((resolveReady) => program.replies.push(resolveReady));
    if (ready.ready !== true) throw new Error(`the Java program did not start: ${ready.error ?? JSON.stringify(ready)}`);
    return program;
  }

  /** Sends one command; rejects with the Java exception when it failed. */
  send<T extends Record<string, unknown> = Record<string, unknown>>(command: Record<string, unknown>): Promise<T & Reply> {
    const result = this.tail.then(
      () =>
        new Promise<Reply>((resolveReply, reject) => {
          if (this.exited) return reject(new Error(`the Java program has exited:\n${this.stderr.slice(-4000)}`));
          this.replies.push(resolveReply);
          this.child.stdin!.write(JSON.stringify(command) + '\n');
        }),
    );
    this.tail = result.catch(() => undefined);
    return result.then((reply) => {
      if (!reply.ok) throw new Error(`Java: ${String(command.op)} failed: ${reply.error}`);
      return reply as T & Reply;
    });
  }

  /** Asks the program to quit; kills it (by its process id) when it has not within 10 s. */
  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    await this.send({ op: 'quit' }).catch(() => undefined);
    const timer = setTimeout(() => {
      if (!this.exited && this.child.pid) process.kill(this.child.pid, 'SIGKILL');
    }, 10_000);
    await exited;
    clearTimeout(timer);
  }

  /** What the program wrote on stderr (Spring's and Lettuce's logging). */
  get log(): string {
    return this.stderr;
  }
}
