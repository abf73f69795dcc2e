import { readFileSync } from 'node:fs';
import { SchemaError } from './schema-error.js';

/** Reads and parses a JSON file; a missing file or a syntax error becomes a SchemaError with the line. */
export function readJsonFile(path: string, displayPath: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new SchemaError([{ file: displayPath, pointer: '', expected: 'a readable JSON file', found: code }]);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const at = /position (\d+)/.exec(message);
    let where = message;
    if (at) {
      const offset = Number(at[1]);
      const before = text.slice(0, offset).split('\n');
      where = `${message} (line ${before.length}, column ${before[before.length - 1]!.length + 1})`;
    }
    throw new SchemaError([{ file: displayPath, pointer: '', expected: 'valid JSON', found: where }]);
  }
}
