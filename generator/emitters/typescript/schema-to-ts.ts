import type { JsonSchema } from '../../model/model.js';
import { DEFS_REF } from '../../load/json-schema.js';
import { propertyKey } from '../../emit/typescript.js';

/** The TypeScript type for a JSON Schema (the subset sessiongen schemas use), as source text. */
export function schemaToTs(schema: JsonSchema | boolean | undefined, indent = ''): string {
  if (schema === undefined || schema === true) return 'unknown';
  if (schema === false) return 'never';
  if (typeof schema.$ref === 'string') {
    const match = DEFS_REF.exec(schema.$ref);
    return match ? match[1]! : 'unknown';
  }
  if ('const' in schema) return literal(schema.const);
  if (Array.isArray(schema.enum)) return union(schema.enum.map(literal));
  if (Array.isArray(schema.anyOf)) return union((schema.anyOf as JsonSchema[]).map((s) => schemaToTs(s, indent)));
  if (Array.isArray(schema.oneOf)) return union((schema.oneOf as JsonSchema[]).map((s) => schemaToTs(s, indent)));
  if (Array.isArray(schema.allOf)) {
    return (schema.allOf as JsonSchema[]).map((s) => wrap(schemaToTs(s, indent))).join(' & ');
  }
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : schema.type ? [schema.type as string] : [];
  if (types.length === 0) {
    if (schema.properties || schema.additionalProperties !== undefined) return objectType(schema, indent);
    if (schema.items || schema.prefixItems) return arrayType(schema, indent);
    return 'unknown';
  }
  return union(types.map((type) => typeFor(type, schema, indent)));
}

function typeFor(type: string, schema: JsonSchema, indent: string): string {
  switch (type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array':
      return arrayType(schema, indent);
    case 'object':
      return objectType(schema, indent);
    default:
      return 'unknown';
  }
}

function arrayType(schema: JsonSchema, indent: string): string {
  if (Array.isArray(schema.prefixItems)) {
    const head = (schema.prefixItems as JsonSchema[]).map((s) => schemaToTs(s, indent));
    const rest = schema.items === false ? [] : [`...${wrap(schemaToTs(schema.items as JsonSchema, indent))}[]`];
    return `[${[...head, ...rest].join(', ')}]`;
  }
  return `${wrap(schemaToTs(schema.items as JsonSchema | undefined, indent))}[]`;
}

function objectType(schema: JsonSchema, indent: string): string {
  const inner = indent + '  ';
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const lines: string[] = [];
  for (const [name, sub] of Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>)) {
    const description = typeof sub.description === 'string' ? `${inner}/** ${sub.description.replace(/\*\//g, '* /')} */\n` : '';
    lines.push(`${description}${inner}${propertyKey(name)}${required.has(name) ? '' : '?'}: ${schemaToTs(sub, inner)};`);
  }
  const additional = schema.additionalProperties;
  if (additional === undefined || additional === true) lines.push(`${inner}[key: string]: unknown;`);
  else if (additional !== false) lines.push(`${inner}[key: string]: ${schemaToTs(additional as JsonSchema, inner)};`);
  return lines.length ? `{\n${lines.join('\n')}\n${indent}}` : 'Record<string, never>';
}

function literal(value: unknown): string {
  return typeof value === 'string' ? `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'` : JSON.stringify(value);
}

function union(parts: string[]): string {
  const unique = [...new Set(parts)];
  return unique.length === 0 ? 'never' : unique.join(' | ');
}

function wrap(type: string): string {
  return /[|&]/.test(type) && !/^[{[]/.test(type) ? `(${type})` : type;
}
