/**
 * The typings as an app sees them: each app in test/consumer/apps/ is copied into a folder of its
 * own (`.test-results/typings-<app>/`) with `generated/` made by the CLI from the apps' schema, and
 * type-checked with its own tsconfig.json (strict, nodenext, skipLibCheck false) against the
 * repository's node_modules, so `@sessiongen/runtime` resolves to the compiled `runtime/dist`
 * declarations (no `sessiongen:source` condition). The app's files must compile clean; its
 * `misuse.ts`, compiled in the same program, must fail on exactly the lines marked
 * `// expect-error TSnnnn`, with those codes. The CLI runs compiled (`npm run build` first, as for
 * every test that spawns it); runtime/dist is rebuilt here when a runtime source is newer.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const APPS = join(ROOT, 'test/consumer/apps');
const SCHEMA = join(APPS, 'schema.json');
const OUT = join(ROOT, '.test-results');
const GENERATED = join(OUT, 'typings-generated');
const MARK = /\/\/ expect-error((?:\s+TS\d+)+)\s*$/;

const apps = readdirSync(APPS).filter((name) => existsSync(join(APPS, name, 'tsconfig.json')));

/** Runtime sources newer than their compiled declaration (the apps compile against runtime/dist). */
function staleDeclarations(): string[] {
  const stale: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(ROOT, 'runtime', dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
        const declaration = join(ROOT, 'runtime/dist', path.replace(/\.ts$/, '.d.ts'));
        if (!existsSync(declaration) || statSync(declaration).mtimeMs < statSync(join(ROOT, 'runtime', path)).mtimeMs) stale.push(path);
      }
    }
  };
  for (const dir of ['core', 'stores', 'web']) walk(dir);
  return stale;
}

/**
 * Parsed declaration files shared by the apps' programs (as TypeScript's language service shares
 * them between projects): the libs, node_modules and runtime/dist are parsed once, not once per app.
 */
const shared = new Map<string, ts.SourceFile>();
function compilerHost(options: ts.CompilerOptions): ts.CompilerHost {
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    if (!fileName.endsWith('.d.ts') || fileName.startsWith(OUT)) return getSourceFile(fileName, languageVersion, onError, shouldCreate);
    const format = typeof languageVersion === 'object' ? `${languageVersion.languageVersion}:${languageVersion.impliedNodeFormat}` : String(languageVersion);
    const key = `${format}:${fileName}`;
    let file = shared.get(key);
    if (!file) {
      file = getSourceFile(fileName, languageVersion, onError, shouldCreate);
      if (file) shared.set(key, file);
    }
    return file;
  };
  return host;
}

interface Checked {
  /** Diagnostics outside misuse.ts, as text. */
  unexpected: string[];
  /** misuse.ts: line → the error codes found there. */
  misuse: Map<number, string[]>;
}

function typeCheck(dir: string): Checked {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(dir, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    },
  });
  if (!parsed) throw new Error(`cannot read ${dir}/tsconfig.json`);
  const misusePath = join(dir, 'misuse.ts');
  const program = ts.createProgram({
    rootNames: [...parsed.fileNames, misusePath],
    options: parsed.options,
    host: compilerHost(parsed.options),
  });
  const checked: Checked = { unexpected: [], misuse: new Map() };
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const code = `TS${diagnostic.code}`;
    const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
    if (diagnostic.file?.fileName === misusePath) {
      const line = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start!).line + 1;
      checked.misuse.set(line, [...(checked.misuse.get(line) ?? []), code].sort());
      continue;
    }
    const where = diagnostic.file
      ? `${relative(dir, diagnostic.file.fileName)}:${diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start!).line + 1}`
      : '(program)';
    checked.unexpected.push(`${where} ${code} ${text}`);
  }
  return checked;
}

/** misuse.ts's marked lines: line → the codes it must fail with. */
function markedLines(file: string): Map<number, string[]> {
  const marked = new Map<number, string[]>();
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      const match = MARK.exec(text);
      if (match) marked.set(i + 1, match[1]!.trim().split(/\s+/).sort());
    });
  return marked;
}

describe('typings of the packages, compiled as apps compile them', () => {
  beforeAll(() => {
    if (staleDeclarations().length > 0) {
      // A source changed since the last build (or only its time did): bring runtime/dist up to date
      // (incremental, so it rewrites only what changed), as `npm run build` does.
      for (const config of ['runtime/tsconfig.build.json', 'runtime/tsconfig.build.express-session.json']) {
        const build = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', config], { cwd: ROOT, encoding: 'utf8' });
        if (build.status !== 0) throw new Error(`building the runtime (${config}) failed:\n${build.stdout}${build.stderr}`);
      }
    }
    rmSync(GENERATED, { recursive: true, force: true });
    const run = spawnSync(process.execPath, [join(ROOT, 'bin/sessiongen.js'), 'generate', '--schema', SCHEMA, '--out', GENERATED], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new Error(`sessiongen generate failed:\n${run.stdout}${run.stderr}`);
  }, 60_000);

  it('finds the apps', () => {
    expect(apps.sort()).toEqual(['ts-express', 'ts-express-session', 'ts-fastify', 'ts-hono']);
  });

  for (const app of apps) {
    it(`${app}: compiles clean under strict with skipLibCheck false, and its misuse fails with the expected codes`, () => {
      const dir = join(OUT, `typings-${app}`);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      cpSync(join(APPS, app), dir, { recursive: true });
      cpSync(GENERATED, join(dir, 'generated'), { recursive: true });
      const marked = markedLines(join(dir, 'misuse.ts'));
      expect(marked.size).toBeGreaterThan(0);

      const checked = typeCheck(dir);

      expect(checked.unexpected, checked.unexpected.join('\n')).toEqual([]);
      const listing = (lines: Map<number, string[]>) =>
        [...lines].sort(([a], [b]) => a - b).map(([line, codes]) => `misuse.ts:${line} ${codes.join(' ')}`);
      expect(listing(checked.misuse)).toEqual(listing(marked));
    }, 120_000);
  }
});
