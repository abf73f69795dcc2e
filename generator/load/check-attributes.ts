import { Ajv2020 } from 'ajv/dist/2020.js';
import type { JsonSchema } from '../model/model.js';
import { DEFS_REF, walkSchema } from './json-schema.js';
import { pointerJoin, show, type SchemaIssue } from './schema-error.js';

/** A strict 2020-12 compiler that knows sessiongen's vendor keyword. */
export function strictAjv(): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, allErrors: false, strictTypes: true, allowUnionTypes: true });
  ajv.addKeyword({ keyword: 'x-sessiongen' });
  return ajv;
}

/** Each attribute, $defs and open-attributes schema must be valid strict JSON Schema whose `$ref`s point into `$defs`. */
export function checkAttributeSchemas(root: JsonSchema, file: string): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const defs = (root.$defs ?? {}) as Record<string, JsonSchema>;
  const open = root.additionalProperties;
  const groups: Array<[string, Record<string, JsonSchema>]> = [
    ['/properties', (root.properties ?? {}) as Record<string, JsonSchema>],
    ['/patternProperties', (root.patternProperties ?? {}) as Record<string, JsonSchema>],
    ['/$defs', defs],
    // The open attributes' schema, when additionalProperties is one (true and false need no check).
    ['', open && typeof open === 'object' ? { additionalProperties: open as JsonSchema } : {}],
  ];
  for (const [base, schemas] of groups) {
    for (const [key, schema] of Object.entries(schemas)) {
      const at = pointerJoin(base, key);
      const before = issues.length;
      walkSchema(schema, at, (node, pointer) => {
        if ('$ref' in node) {
          const ref = node.$ref;
          const match = typeof ref === 'string' ? DEFS_REF.exec(ref) : null;
          if (!match) {
            issues.push({ file, pointer: pointerJoin(pointer, '$ref'), expected: 'a local reference of the form #/$defs/TypeName', found: show(ref) });
          } else if (!Object.prototype.hasOwnProperty.call(defs, match[1]!)) {
            const known = Object.keys(defs);
            issues.push({
              file,
              pointer: pointerJoin(pointer, '$ref'),
              expected: `a type declared under /$defs (${known.length ? known.join(', ') : 'none declared'})`,
              found: show(ref),
            });
          }
        }
        if ('$id' in node || '$dynamicRef' in node || '$anchor' in node) {
          issues.push({ file, pointer, expected: 'no $id, $anchor or $dynamicRef inside an attribute schema' });
        }
      });
      if (issues.length > before) continue;
      try {
        strictAjv().compile({ ...schema, $defs: defs });
      } catch (err) {
        issues.push({ file, pointer: at, expected: 'a valid JSON Schema 2020-12 (strict mode)', found: (err as Error).message });
      }
      if (base === '/patternProperties') {
        try {
          new RegExp(key, 'u');
        } catch (err) {
          issues.push({ file, pointer: at, expected: 'a valid regular expression as the pattern', found: (err as Error).message });
        }
      }
    }
  }
  return issues;
}
