import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const FIXTURE = 'test/fixtures/type-errors/misuse.ts';

/** Compiles files with the project's strict settings; returns the diagnostics per line of `file`. */
function compile(file: string): Map<number, string[]> {
  const config = ts.readConfigFile('tsconfig.json', ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, process.cwd());
  const program = ts.createProgram([file], { ...parsed.options, noEmit: true });
  const byLine = new Map<number, string[]>();
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    if (!diagnostic.file || !diagnostic.file.fileName.endsWith(file)) {
      throw new Error(`unexpected diagnostic outside the fixture: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`);
    }
    const line = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start!).line + 1;
    byLine.set(line, [...(byLine.get(line) ?? []), ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')]);
  }
  return byLine;
}

describe('generated types', () => {
  it('reject every misuse in the fixture, and only those lines', () => {
    const lines = readFileSync(FIXTURE, 'utf8').split('\n');
    const marked = lines.flatMap((text, i) => (/\/\/ expect-error\s*$/.test(text) ? [i + 1] : []));
    expect(marked.length).toBeGreaterThanOrEqual(10);
    const errors = compile(FIXTURE);
    expect([...errors.keys()].sort((a, b) => a - b), [...errors].map(([l, m]) => `${l}: ${m.join('; ')}`).join('\n')).toEqual(marked);
  }, 60_000);
});
