import { StructureKind, VariableDeclarationKind, type StatementStructures } from 'ts-morph';
import { REDIS_META_FIELD_PREFIX, REDIS_META_FIELDS, redisIndexKey, redisIndexValueText, redisMoveLockKey, redisMovedKey, redisSessionKey } from '@sessiongen/runtime/redis';
import type { EmitContext, EmittedFile, Emitter } from '../../emit/file-map.js';
import { render } from '../../emit/templates.js';
import { printModule } from '../../emit/typescript.js';
import type { IndexModel, SessionModel } from '../../model/model.js';

/**
 * The Redis key layout of one schema: `redis/keys.ts` (typed key builders, the same layout the
 * runtime's RedisKeyLayout writes) and `redis/LAYOUT.md` (every key, its type, TTL, writer,
 * example). Key shapes and field names come from the runtime's layout (`@sessiongen/runtime/redis`).
 */

/** Fixed example values, so the document is the same on every run. */
const EXAMPLE_ID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const EXAMPLE_NEW_ID = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const EXAMPLE_CREATED = 1_700_000_000_000;
const EXAMPLE_ACCESSED = 1_700_000_420_000;

/** What each metadata field holds, and its value in the example. */
const META_FIELD_DOCS: Record<keyof typeof REDIS_META_FIELDS, { meaning: string; example: string }> = {
  creationTime: { meaning: 'creation time, epoch ms', example: String(EXAMPLE_CREATED) },
  lastAccessedTime: { meaning: 'last access time, epoch ms', example: String(EXAMPLE_ACCESSED) },
  maxInactiveInterval: { meaning: 'timeout in seconds; negative never expires', example: '1800' },
  indexedUntil: {
    meaning: "the score of the session's index entries (epoch ms, `inf` never): its expiry plus half its timeout when they were last written; absent when it has no index value",
    example: String(EXAMPLE_ACCESSED + 1800 * 1000 + 900 * 1000),
  },
};

const META_FIELDS = Object.entries(REDIS_META_FIELDS).map(([role, field]) => ({ field, ...META_FIELD_DOCS[role as keyof typeof REDIS_META_FIELDS] }));

/** Template-literal source for a key builder: the layout's key with `${…}` placeholders for its parts. */
const builderBody = (key: string) => `\`${key}\``;

function tsType(index: IndexModel): string {
  return index.type === 'string' ? 'string' : index.type === 'boolean' ? 'boolean' : 'number';
}

/** The attribute's first schema `examples` entry of the right type, else a stand-in. */
function exampleValue(model: SessionModel, index: IndexModel): string | number | boolean {
  const schema = model.attributes.find((attribute) => attribute.name === index.attribute)?.schema;
  const examples = Array.isArray(schema?.examples) ? (schema.examples as unknown[]) : [];
  const wanted = index.type === 'integer' || index.type === 'number' ? 'number' : index.type;
  const given = examples.find((example) => typeof example === wanted);
  if (given !== undefined) return given as string | number | boolean;
  if (index.type === 'boolean') return true;
  if (index.type === 'integer' || index.type === 'number') return 42;
  return index.isPrincipal ? 'alice' : `example-${index.column.replace(/_/g, '-')}`;
}

function builderName(index: IndexModel): string {
  return `${index.name}Index`;
}

function keysModule(model: SessionModel): string {
  const prefix = model.stores.redis.keyPrefix;
  const builders = [
    `  /** hash: the session (metadata fields and one JSON field per attribute); TTL = the session's expiry. */`,
    `  session: (id: string): string => ${builderBody(redisSessionKey('${prefix}', '${id}'))},`,
    `  /** string: held only while a Redis Cluster moves the session to a new id (30 s). */`,
    `  moveLock: (id: string): string => ${builderBody(redisMoveLockKey('${prefix}', '${id}'))},`,
    `  /** string: the new id, for a while after the session's id changed (forwards writes of requests that loaded it before). */`,
    `  moved: (id: string): string => ${builderBody(redisMovedKey('${prefix}', '${id}'))},`,
    ...model.indexes.flatMap((index) => [
      `  /** zset: ids of the sessions whose ${index.attribute} is \`value\`, scored by an upper bound of their expiry (ms). */`,
      `  ${builderName(index)}: (value: ${tsType(index)}): string => ${builderBody(redisIndexKey('${prefix}', index.name, '${JSON.stringify(value)}'))},`,
    ]),
  ];
  const statements: Array<StatementStructures | string> = [
    {
      kind: StructureKind.VariableStatement,
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      docs: [`The key prefix of ${model.name} sessions in Redis, from the schema.`],
      declarations: [{ name: `${model.camel}RedisKeyPrefix`, initializer: JSON.stringify(prefix).replace(/"/g, "'") }],
    },
    [
      '/** Hash fields that are not attributes (attribute fields are the attribute names; values are JSON). */',
      `export const ${model.camel}RedisMetaFields = {`,
      ...Object.entries(REDIS_META_FIELDS).map(([role, field]) => `  ${role}: '${field}',`),
      '} as const;',
    ].join('\n'),
    {
      kind: StructureKind.Function,
      isExported: true,
      name: `${model.camel}RedisKeys`,
      docs: [`The Redis keys of ${model.name} sessions, exactly as the Redis store writes them (see LAYOUT.md beside this file).`],
      parameters: [{ name: 'prefix', type: 'string', initializer: `${model.camel}RedisKeyPrefix` }],
      statements: [`return {\n${builders.join('\n')}\n};`],
    },
    {
      kind: StructureKind.TypeAlias,
      isExported: true,
      name: `${model.name}RedisKeys`,
      type: `ReturnType<typeof ${model.camel}RedisKeys>`,
    },
  ];
  return printModule(statements);
}

function layoutContext(model: SessionModel) {
  const prefix = model.stores.redis.keyPrefix;
  const indexes = model.indexes.map((index) => {
    const value = exampleValue(model, index);
    return {
      name: index.name,
      attribute: index.attribute,
      type: index.type,
      builder: `${builderName(index)}(value)`,
      pattern: redisIndexKey(prefix, index.name, `<${index.attribute} as JSON>`),
      example: redisIndexKey(prefix, index.name, redisIndexValueText(value)),
      exampleValueJson: redisIndexValueText(value),
      principal: index.isPrincipal,
    };
  });
  const sessionExample = redisSessionKey(prefix, EXAMPLE_ID);
  const exampleFields = [
    ...META_FIELDS.map((meta) => ({ field: meta.field, value: meta.example })),
    ...indexes.map((index) => ({ field: index.attribute, value: index.exampleValueJson })),
  ];
  return {
    name: model.name,
    camel: model.camel,
    source: model.sourcePath,
    prefix,
    exampleId: EXAMPLE_ID,
    exampleNewId: EXAMPLE_NEW_ID,
    sessionPattern: redisSessionKey(prefix, '<id>'),
    sessionExample,
    lockPattern: redisMoveLockKey(prefix, '<id>'),
    lockExample: redisMoveLockKey(prefix, EXAMPLE_ID),
    movedPattern: redisMovedKey(prefix, '<id>'),
    movedExample: redisMovedKey(prefix, EXAMPLE_ID),
    expiresAt: EXAMPLE_ACCESSED + 1800 * 1000,
    indexScore: EXAMPLE_ACCESSED + 1800 * 1000 + 900 * 1000,
    metaFields: META_FIELDS,
    fields: REDIS_META_FIELDS,
    metaFieldPrefix: REDIS_META_FIELD_PREFIX,
    attributes: model.attributes.map((attribute) => ({ name: attribute.name, description: attribute.description ?? '' })),
    patternAttributes: model.patternAttributes.map((family) => ({ prefix: family.prefix, pattern: family.pattern, description: family.description ?? '' })),
    indexes,
    hasIndexes: indexes.length > 0,
    exampleFields,
    firstIndex: indexes[0] ?? null,
  };
}

export const redisLayoutEmitter: Emitter = {
  name: 'redis-layout',
  emit({ model }: EmitContext): EmittedFile[] {
    return [
      { path: 'redis/keys.ts', content: keysModule(model) },
      { path: 'redis/LAYOUT.md', content: render('redis/LAYOUT.md.hbs', layoutContext(model)) },
    ];
  },
};
