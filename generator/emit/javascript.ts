import { ts } from 'ts-morph';
import type { EmittedFile } from './file-map.js';

/** The languages `generate` writes: TypeScript modules, or ESM JavaScript with a `.d.ts` beside each file. */
export const OUTPUT_LANGUAGES = ['ts', 'js'] as const;
export type OutputLanguage = (typeof OUTPUT_LANGUAGES)[number];

const JS_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ES2022,
  strict: true,
  newLine: ts.NewLineKind.LineFeed,
};

/** Every emitted module types its exports, so its declarations need no type information. */
const DECLARATION_OPTIONS: ts.CompilerOptions = { ...JS_OPTIONS, declaration: true, isolatedDeclarations: true };

/**
 * The JavaScript output: every emitted TypeScript module (`x.ts`) becomes `x.js` (ESM, ES2022) and
 * `x.d.ts`, each file on its own with no type information, so the pass is deterministic and
 * fast; other files (JavaScript already, SQL, JSON, docs) pass through. Relative imports already
 * say `./x.js`, which both languages resolve.
 */
export function toJavaScript(files: readonly EmittedFile[]): EmittedFile[] {
  const out: EmittedFile[] = [];
  for (const file of files) {
    if (!file.path.endsWith('.ts') || file.path.endsWith('.d.ts')) {
      out.push(file);
      continue;
    }
    const transpiled = ts.transpileModule(file.content, { compilerOptions: JS_OPTIONS, fileName: file.path, reportDiagnostics: true });
    const declared = ts.transpileDeclaration(file.content, { compilerOptions: DECLARATION_OPTIONS, fileName: file.path, reportDiagnostics: true });
    const problems = [...(transpiled.diagnostics ?? []), ...(declared.diagnostics ?? [])];
    if (problems.length > 0) {
      const messages = problems.map((problem) => ts.flattenDiagnosticMessageText(problem.messageText, ' ')).join('; ');
      throw new Error(`${file.path} cannot be emitted as JavaScript: ${messages}`);
    }
    const base = file.path.slice(0, -'.ts'.length);
    out.push({ path: `${base}.js`, content: transpiled.outputText }, { path: `${base}.d.ts`, content: declared.outputText });
  }
  return out;
}
