import { relative } from 'node:path';
import type { JsonSchema, SessionModel } from '../model/model.js';
import { buildModel } from './build-model.js';
import { checkAttributeSchemas } from './check-attributes.js';
import { checkMetaSchema } from './check-meta.js';
import { readJsonFile } from './read-json.js';
import { SchemaError, type SchemaIssue } from './schema-error.js';

/**
 * Loads a session schema file into the model. Throws SchemaError listing every problem, each with
 * the file, the JSON pointer and what was expected.
 */
export function loadSchema(path: string): SessionModel {
  const file = relative(process.cwd(), path) || path;
  const document = readJsonFile(path, file);
  const metaIssues = checkMetaSchema(document, file);
  if (metaIssues.length > 0) throw new SchemaError(metaIssues);
  const root = document as JsonSchema;
  const issues: SchemaIssue[] = checkAttributeSchemas(root, file);
  const model = buildModel(root, file, issues);
  if (issues.length > 0) throw new SchemaError(issues);
  return model;
}
