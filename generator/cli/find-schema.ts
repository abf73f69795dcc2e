import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from './args.js';

/** The schema to generate from: the one given, or the single `schema/*.schema.json` of the project. */
export function findSchema(given: string | undefined): string {
  if (given) return given;
  const folder = 'schema';
  const candidates = existsSync(folder)
    ? readdirSync(folder).filter((name) => name.endsWith('.schema.json') && name !== 'sessiongen.meta.schema.json')
    : [];
  if (candidates.length === 1) return join(folder, candidates[0]!);
  throw new UsageError(
    candidates.length === 0
      ? 'no schema/*.schema.json found: pass --schema FILE'
      : `several schemas in schema/ (${candidates.join(', ')}): pass --schema FILE`,
  );
}
