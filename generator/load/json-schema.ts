import type { JsonSchema } from '../model/model.js';
import { pointerJoin } from './schema-error.js';

export const DEFS_REF = /^#\/\$defs\/([A-Z][A-Za-z0-9]{0,63})$/;

/** Calls `visit` for every subschema object below `schema`, with its JSON pointer. */
export function walkSchema(schema: unknown, pointer: string, visit: (node: JsonSchema, pointer: string) => void): void {
  if (!schema || typeof schema !== 'object') return;
  if (Array.isArray(schema)) {
    schema.forEach((item, i) => walkSchema(item, pointerJoin(pointer, i), visit));
    return;
  }
  const node = schema as JsonSchema;
  visit(node, pointer);
  for (const [key, value] of Object.entries(node)) {
    if (key === 'enum' || key === 'const' || key === 'default' || key === 'examples') continue;
    if (value && typeof value === 'object') walkSchema(value, pointerJoin(pointer, key), visit);
  }
}

/** Follows `$ref`s into `$defs` until a schema without `$ref` (or a cycle/missing target: undefined). */
export function resolveRefs(schema: JsonSchema, root: JsonSchema): JsonSchema | undefined {
  const seen = new Set<string>();
  let current: JsonSchema | undefined = schema;
  while (current && typeof current.$ref === 'string') {
    const match = DEFS_REF.exec(current.$ref);
    if (!match || seen.has(current.$ref)) return undefined;
    seen.add(current.$ref);
    current = (root.$defs as Record<string, JsonSchema> | undefined)?.[match[1]!];
  }
  return current;
}
