/** Schema variants for the SQL generator tests: temporary copies of the example schema, never the example itself. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const EXAMPLE_SCHEMA = resolve('schema/app-session.schema.json');

export type SchemaJson = { 'x-sessiongen': { indexes: string[]; maxInactiveInterval: number }; properties: Record<string, unknown> } & Record<string, unknown>;

export function exampleSchema(): SchemaJson {
  return JSON.parse(readFileSync(EXAMPLE_SCHEMA, 'utf8')) as SchemaJson;
}

/** A temp folder with `name.schema.json` written from `edit(example copy)`; returns the schema path. */
export function writeSchemaVariant(dir: string, name: string, edit: (schema: SchemaJson) => void): string {
  const schema = exampleSchema();
  edit(schema);
  const path = join(dir, `${name}.schema.json`);
  writeFileSync(path, JSON.stringify(schema, null, 2));
  return path;
}

export function tempDir(what: string): string {
  return mkdtempSync(join(tmpdir(), `sessiongen-${what}-`));
}
