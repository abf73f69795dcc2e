import { IndentationText, NewLineKind, Project, QuoteKind, StructureKind, type StatementStructures } from 'ts-morph';

let project: Project | undefined;

/** Prints ts-morph statement structures as one module's text, formatted the same way every time. */
export function printModule(statements: Array<StatementStructures | string>): string {
  project ??= new Project({
    useInMemoryFileSystem: true,
    compilerOptions: { target: 9 /* ES2022 */ },
    manipulationSettings: {
      indentationText: IndentationText.TwoSpaces,
      quoteKind: QuoteKind.Single,
      newLineKind: NewLineKind.LineFeed,
      useTrailingCommas: true,
    },
  });
  // Printed one statement at a time so that the spacing is ours: imports (and re-exports) together,
  // a blank line between every other statement.
  const parts: string[] = [];
  let previousWasImport = false;
  for (const statement of statements) {
    const isImport =
      typeof statement !== 'string' &&
      (statement.kind === StructureKind.ImportDeclaration || statement.kind === StructureKind.ExportDeclaration);
    const file = project.createSourceFile('module.ts', { statements: [statement] }, { overwrite: true });
    const text = file.getFullText().trim();
    project.removeSourceFile(file);
    if (parts.length > 0 && !(isImport && previousWasImport)) parts.push('');
    parts.push(text);
    previousWasImport = isImport;
  }
  return parts.join('\n') + '\n';
}

/** A property key as TypeScript source: bare when it is an identifier, quoted otherwise. */
export function propertyKey(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : `'${name.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A JSDoc structure from a description, or none. */
export function docs(description: string | undefined): string[] {
  return description ? [description] : [];
}
