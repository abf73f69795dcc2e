/** One thing wrong with a session schema: where (file + JSON pointer) and what was expected. */
export interface SchemaIssue {
  file: string;
  /** JSON pointer into the schema document; '' is the whole document. */
  pointer: string;
  expected: string;
  /** What was found, when it helps. */
  found?: string;
}

export function formatIssue(issue: SchemaIssue): string {
  const where = `${issue.file}#${issue.pointer}`;
  return issue.found === undefined
    ? `${where}: expected ${issue.expected}`
    : `${where}: expected ${issue.expected}, found ${issue.found}`;
}

/** A schema that cannot be generated from; every issue found is listed. */
export class SchemaError extends Error {
  override readonly name = 'SchemaError';
  constructor(readonly issues: SchemaIssue[]) {
    super(issues.map(formatIssue).join('\n'));
  }
}

/** Appends a segment to a JSON pointer, escaping ~ and /. */
export function pointerJoin(pointer: string, ...segments: Array<string | number>): string {
  return segments.reduce<string>(
    (acc, segment) => `${acc}/${String(segment).replace(/~/g, '~0').replace(/\//g, '~1')}`,
    pointer,
  );
}

/** A short printable form of a found value. */
export function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? text.slice(0, 77) + '...' : text;
}
