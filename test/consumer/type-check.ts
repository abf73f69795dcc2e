/**
 * Type-checks an app folder as `tsc -p tsconfig.json` would (its own strict, nodenext,
 * skipLibCheck-false config, resolving packages from the app's own node_modules), with its
 * `misuse.ts` compiled in the same program: the app's files must have no error, and `misuse.ts`
 * must fail on exactly the lines marked `// expect-error TSnnnn`, with those codes.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const MARK = /\/\/ expect-error((?:\s+TS\d+)+)\s*$/;

export interface TypeCheckResult {
  /** Errors outside misuse.ts, as `file:line TSnnnn message`. */
  unexpected: string[];
  /** misuse.ts, `misuse.ts:<line> TSnnnn…` for each line that failed. */
  misuse: string[];
  /** misuse.ts, the same listing for each marked line. */
  marked: string[];
}

function listing(lines: Map<number, string[]>): string[] {
  return [...lines].sort(([a], [b]) => a - b).map(([line, codes]) => `misuse.ts:${line} ${codes.sort().join(' ')}`);
}

export function typeCheckApp(dir: string): TypeCheckResult {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(dir, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    },
  });
  if (!parsed) throw new Error(`cannot read ${dir}/tsconfig.json`);
  const misusePath = join(dir, 'misuse.ts');
  const program = ts.createProgram({ rootNames: [...parsed.fileNames, misusePath], options: parsed.options });
  const unexpected: string[] = [];
  const misuse = new Map<number, string[]>();
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const code = `TS${diagnostic.code}`;
    const line = diagnostic.file ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start!).line + 1 : 0;
    if (diagnostic.file?.fileName === misusePath) {
      misuse.set(line, [...(misuse.get(line) ?? []), code]);
      continue;
    }
    const where = diagnostic.file ? `${relative(dir, diagnostic.file.fileName)}:${line}` : '(program)';
    unexpected.push(`${where} ${code} ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`);
  }
  const marked = new Map<number, string[]>();
  readFileSync(misusePath, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      const match = MARK.exec(text);
      if (match) marked.set(i + 1, match[1]!.trim().split(/\s+/));
    });
  return { unexpected, misuse: listing(misuse), marked: listing(marked) };
}
