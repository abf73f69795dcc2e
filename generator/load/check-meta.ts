import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import { PACKAGE_ROOT } from '../package-root.js';
import { pointerJoin, show, type SchemaIssue } from './schema-error.js';

const META_SCHEMA_PATH = new URL('schema/sessiongen.meta.schema.json', PACKAGE_ROOT);

let validateMeta: ReturnType<Ajv2020['compile']> | undefined;

function metaValidator() {
  if (!validateMeta) {
    const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
    validateMeta = ajv.compile(JSON.parse(readFileSync(META_SCHEMA_PATH, 'utf8')));
  }
  return validateMeta;
}

/** Checks the document against sessiongen's meta-schema; returns one issue per problem. */
export function checkMetaSchema(document: unknown, file: string): SchemaIssue[] {
  const validate = metaValidator();
  if (validate(document)) return [];
  const errors = (validate.errors ?? []).filter((error) => !['if', '$ref', 'propertyNames'].includes(error.keyword));
  const issues = errors.map((error) => toIssue(error, file));
  // propertyNames reports the name's own failure and then a wrapper; keep the first of each pointer.
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.pointer}\u0000${issue.expected}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function toIssue(error: ErrorObject, file: string): SchemaIssue {
  const described = (error.parentSchema as { description?: string } | undefined)?.description;
  const params = error.params as Record<string, unknown>;
  if (error.propertyName !== undefined) {
    return {
      file,
      pointer: pointerJoin(error.instancePath, error.propertyName),
      expected: described ?? error.message ?? 'a valid name',
      found: show(error.propertyName),
    };
  }
  switch (error.keyword) {
    case 'required':
      return { file, pointer: error.instancePath, expected: `a property '${params.missingProperty}'` };
    case 'additionalProperties':
      return {
        file,
        pointer: pointerJoin(error.instancePath, String(params.additionalProperty)),
        expected: `no property '${params.additionalProperty}' here (not a sessiongen setting or JSON Schema keyword it supports)`,
      };
    case 'const':
      return { file, pointer: error.instancePath, expected: described ?? show(params.allowedValue), found: show(error.data) };
    case 'type':
      return { file, pointer: error.instancePath, expected: described ?? `a value of type ${params.type}`, found: show(error.data) };
    case 'uniqueItems':
      return { file, pointer: error.instancePath, expected: `no duplicates (items ${params.j} and ${params.i} are equal)` };
    default:
      return { file, pointer: error.instancePath, expected: described ?? error.message ?? error.keyword, found: show(error.data) };
  }
}
