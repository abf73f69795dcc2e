import type {
  AttributeModel,
  DefModel,
  IndexModel,
  IndexValueType,
  JsonSchema,
  OpenAttributesModel,
  PatternAttributeModel,
  SessionModel,
  SpringModel,
} from '../model/model.js';
import { SPRING_DEFAULT_NAMESPACE, SPRING_DEFAULT_TABLE, SPRING_PRINCIPAL_NAME_LENGTH } from '@sessiongen/runtime/spring';
import { RESERVED_COLUMNS } from '../model/model.js';
import { camelCase, literalPrefix, pascalCase, snakeCase } from '../model/names.js';
import { attributeValidatorName, OPEN_ATTRIBUTES_VALIDATOR_NAME, patternValidatorName } from '../emitters/validators/validator-names.js';
import { strictAjv } from './check-attributes.js';
import { resolveRefs } from './json-schema.js';
import { pointerJoin, show, type SchemaIssue } from './schema-error.js';

const INDEXABLE: ReadonlySet<string> = new Set(['string', 'integer', 'number', 'boolean']);
const MAX_INDEXED_STRING = 512;
const DEFAULT_TIMEOUT_S = 1800;

interface Settings {
  name: string;
  namespace: string;
  maxInactiveInterval?: number;
  maxSessionBytes?: number;
  maxPatternAttributes?: Record<string, number>;
  principal?: string;
  absoluteTimeout?: number;
  maxSessionsPerPrincipal?: number | { max: number; policy?: 'end-least-recently-used' | 'refuse' };
  touchInterval?: number;
  devices?: boolean;
  indexes?: string[];
  compat?: 'spring';
  spring?: { namespace?: string; table?: string; redisRepository?: 'indexed' | 'plain'; redisExpirations?: 'minute' | 'sorted-set' };
  stores?: {
    sql?: { table?: string };
    redis?: { keyPrefix?: string };
    hazelcast?: { map?: string; backupCount?: number };
    geode?: { region?: string; redundantCopies?: number };
  };
}

/**
 * Builds the model from a document that passed the meta-schema and attribute checks, checking
 * what those cannot: indexes, the principal, defaults, pattern prefixes. Issues go to `issues`.
 */
export function buildModel(root: JsonSchema, file: string, issues: SchemaIssue[]): SessionModel {
  const settings = root['x-sessiongen'] as Settings;
  const properties = (root.properties ?? {}) as Record<string, JsonSchema>;
  const defsIn = (root.$defs ?? {}) as Record<string, JsonSchema>;

  const attributes: AttributeModel[] = Object.entries(properties).map(([name, schema]) => {
    const attribute: AttributeModel = { name, schema, hasDefault: 'default' in schema };
    if (typeof schema.description === 'string') attribute.description = schema.description;
    if (attribute.hasDefault) {
      attribute.default = schema.default;
      checkDefault(root, name, schema, file, issues);
    }
    return attribute;
  });

  const patternAttributes: PatternAttributeModel[] = Object.entries(
    (root.patternProperties ?? {}) as Record<string, JsonSchema>,
  ).map(([pattern, schema]) => {
    const prefix = literalPrefix(pattern);
    const at = pointerJoin('/patternProperties', pattern);
    if (prefix.length < 2) {
      issues.push({ file, pointer: at, expected: 'a pattern starting with a literal prefix of at least 2 characters, such as ^draft:', found: show(pattern) });
    }
    if ('default' in schema) {
      issues.push({ file, pointer: pointerJoin(at, 'default'), expected: 'no default on a pattern attribute (only named attributes have defaults)' });
    }
    for (const name of Object.keys(properties)) {
      if (new RegExp(pattern, 'u').test(name)) {
        issues.push({ file, pointer: at, expected: `a pattern that matches no named attribute`, found: `it matches '${name}'` });
      }
    }
    const model: PatternAttributeModel = { pattern, prefix, schema };
    if (typeof schema.description === 'string') model.description = schema.description;
    const maxAttributes = settings.maxPatternAttributes?.[pattern];
    if (maxAttributes !== undefined && Object.prototype.hasOwnProperty.call(settings.maxPatternAttributes, pattern)) {
      model.maxAttributes = maxAttributes;
    }
    return model;
  });
  checkPrefixesDistinct(patternAttributes, file, issues);
  const openAttributes = buildOpenAttributes(root.additionalProperties, file, issues);
  checkValidatorNamesDistinct(attributes, patternAttributes, openAttributes, file, issues);
  for (const pattern of Object.keys(settings.maxPatternAttributes ?? {})) {
    if (!patternAttributes.some((family) => family.pattern === pattern)) {
      const known = patternAttributes.map((family) => family.pattern);
      issues.push({
        file,
        pointer: pointerJoin('/x-sessiongen/maxPatternAttributes', pattern),
        expected: `a pattern declared under /patternProperties (${known.join(', ') || 'none declared'})`,
        found: show(pattern),
      });
    }
  }

  const indexes = (settings.indexes ?? []).map((name, i) =>
    buildIndex(root, properties, name, pointerJoin('/x-sessiongen/indexes', i), file, issues),
  ).filter((index): index is IndexModel => index !== undefined);

  let principalIndex: string | undefined = settings.principal;
  if (principalIndex !== undefined) {
    const index = indexes.find((candidate) => candidate.name === principalIndex);
    if (!(settings.indexes ?? []).includes(principalIndex)) {
      issues.push({ file, pointer: '/x-sessiongen/principal', expected: `an attribute listed in /x-sessiongen/indexes (${(settings.indexes ?? []).join(', ') || 'none listed'})`, found: show(principalIndex) });
    } else if (index && index.type !== 'string') {
      issues.push({ file, pointer: '/x-sessiongen/principal', expected: 'a string attribute (the principal name)', found: `type ${index.type}` });
    }
  } else if (indexes.some((index) => index.name === 'principalName' && index.type === 'string')) {
    principalIndex = 'principalName';
  }
  for (const index of indexes) index.isPrincipal = index.name === principalIndex;

  const defs: DefModel[] = Object.entries(defsIn).map(([name, schema]) => {
    const def: DefModel = { name, schema };
    if (typeof schema.description === 'string') def.description = schema.description;
    return def;
  });
  const typeName = settings.name;
  for (const def of defs) {
    if (def.name === typeName || def.name === `${typeName}Attributes` || def.name === `${typeName}Repository`) {
      issues.push({ file, pointer: pointerJoin('/$defs', def.name), expected: `a type name other than the generated ${def.name}` });
    }
  }

  const namespace = settings.namespace;
  const model: SessionModel = {
    name: typeName,
    camel: camelCase(typeName),
    namespace,
    maxInactiveInterval: settings.maxInactiveInterval ?? DEFAULT_TIMEOUT_S,
    attributes,
    patternAttributes,
    indexes,
    defs,
    stores: {
      sql: { table: settings.stores?.sql?.table ?? `${snakeCase(namespace)}_session` },
      redis: { keyPrefix: settings.stores?.redis?.keyPrefix ?? `${namespace}:session` },
      hazelcast: {
        map: settings.stores?.hazelcast?.map ?? `${namespace}-sessions`,
        backupCount: settings.stores?.hazelcast?.backupCount ?? 1,
      },
      geode: {
        region: settings.stores?.geode?.region ?? `${namespace}-sessions`,
        redundantCopies: settings.stores?.geode?.redundantCopies ?? 1,
      },
    },
    schema: root,
    sourcePath: file,
  };
  if (typeof root.description === 'string') model.description = root.description;
  if (principalIndex !== undefined) model.principalIndex = principalIndex;
  if (settings.compat === 'spring') model.spring = buildSpring(settings, indexes.find((index) => index.isPrincipal), file, issues);
  if (openAttributes) model.openAttributes = openAttributes;
  if (settings.maxSessionBytes !== undefined) model.maxSessionBytes = settings.maxSessionBytes;
  if (settings.absoluteTimeout !== undefined) model.absoluteTimeout = settings.absoluteTimeout;
  if (settings.touchInterval !== undefined) model.touchInterval = settings.touchInterval;
  if (settings.devices === true) model.devices = true;
  const limit = settings.maxSessionsPerPrincipal;
  if (limit !== undefined) {
    model.maxSessionsPerPrincipal =
      typeof limit === 'number' ? { max: limit, policy: 'end-least-recently-used' } : { max: limit.max, policy: limit.policy ?? 'end-least-recently-used' };
    if (principalIndex === undefined) {
      issues.push({ file, pointer: '/x-sessiongen/maxSessionsPerPrincipal', expected: 'a principal index (x-sessiongen.principal) to count sessions by', found: 'none declared' });
    }
  }
  return model;
}

/**
 * Spring Session's settings with Spring's defaults, checking what Spring's layouts hold: a
 * principal of at most 100 characters (`PRINCIPAL_NAME VARCHAR(100)`).
 */
function buildSpring(settings: Settings, principal: IndexModel | undefined, file: string, issues: SchemaIssue[]): SpringModel {
  const spring = settings.spring ?? {};
  if (principal?.maxLength !== undefined && principal.maxLength > SPRING_PRINCIPAL_NAME_LENGTH) {
    issues.push({
      file,
      pointer: pointerJoin('/properties', principal.attribute, 'maxLength'),
      expected: `a maxLength of at most ${SPRING_PRINCIPAL_NAME_LENGTH} on the principal with compat "spring" (Spring's PRINCIPAL_NAME column holds ${SPRING_PRINCIPAL_NAME_LENGTH})`,
      found: show(principal.maxLength),
    });
  }
  if (spring.redisRepository === 'plain' && spring.redisExpirations !== undefined) {
    issues.push({
      file,
      pointer: '/x-sessiongen/spring/redisExpirations',
      expected: 'no redisExpirations with redisRepository "plain" (RedisSessionRepository tracks no expiries: Redis expires its hashes)',
      found: show(spring.redisExpirations),
    });
  }
  return {
    namespace: spring.namespace ?? SPRING_DEFAULT_NAMESPACE,
    table: spring.table ?? SPRING_DEFAULT_TABLE,
    redisRepository: spring.redisRepository ?? 'indexed',
    redisExpirations: spring.redisExpirations ?? 'minute',
  };
}

/** `additionalProperties`: false (closed), or the schema of every undeclared name (`true` is `{}`). */
function buildOpenAttributes(additional: unknown, file: string, issues: SchemaIssue[]): OpenAttributesModel | undefined {
  if (additional === false) return undefined;
  const schema = (additional === true ? {} : additional) as JsonSchema;
  if ('default' in schema) {
    issues.push({ file, pointer: '/additionalProperties/default', expected: 'no default on open attributes (only named attributes have defaults)' });
  }
  const open: OpenAttributesModel = { schema };
  if (typeof schema.description === 'string') open.description = schema.description;
  return open;
}

/** Each attribute, family and the open attributes get a validator export of their own name. */
function checkValidatorNamesDistinct(
  attributes: AttributeModel[],
  families: PatternAttributeModel[],
  open: OpenAttributesModel | undefined,
  file: string,
  issues: SchemaIssue[],
): void {
  const seen = new Map<string, string>();
  const claim = (validator: string, pointer: string) => {
    const earlier = seen.get(validator);
    if (earlier === undefined) seen.set(validator, pointer);
    else issues.push({ file, pointer, expected: `a name whose generated validator differs from that of ${earlier}`, found: validator });
  };
  for (const attribute of attributes) claim(attributeValidatorName(attribute), pointerJoin('/properties', attribute.name));
  for (const family of families) claim(patternValidatorName(family), pointerJoin('/patternProperties', family.pattern));
  if (open) claim(OPEN_ATTRIBUTES_VALIDATOR_NAME, '/additionalProperties');
}

function buildIndex(
  root: JsonSchema,
  properties: Record<string, JsonSchema>,
  name: string,
  pointer: string,
  file: string,
  issues: SchemaIssue[],
): IndexModel | undefined {
  const declared = properties[name];
  if (!declared || !Object.prototype.hasOwnProperty.call(properties, name)) {
    const known = Object.keys(properties);
    issues.push({ file, pointer, expected: `one of the attributes under /properties (${known.join(', ') || 'none declared'})`, found: show(name) });
    return undefined;
  }
  const schema = resolveRefs(declared, root);
  const type = schema ? scalarType(schema) : undefined;
  if (!schema || !type) {
    issues.push({
      file,
      pointer,
      expected: `an attribute of one scalar type (${[...INDEXABLE].join(', ')}) to index`,
      found: `'${name}' has ${describeType(schema)}`,
    });
    return undefined;
  }
  const index: IndexModel = {
    name,
    attribute: name,
    type,
    column: snakeCase(name),
    pascal: pascalCase(name),
    isPrincipal: false,
  };
  if (RESERVED_COLUMNS.includes(index.column)) {
    issues.push({ file, pointer, expected: `an attribute whose column name is not one of sessiongen's own (${RESERVED_COLUMNS.join(', ')})`, found: `'${name}' → ${index.column}` });
  }
  if (type === 'string') {
    const maxLength = schema.maxLength;
    if (typeof maxLength !== 'number' || maxLength > MAX_INDEXED_STRING) {
      issues.push({
        file,
        pointer: pointerJoin('/properties', name, 'maxLength'),
        expected: `a maxLength of at most ${MAX_INDEXED_STRING} on an indexed string (it sizes the index column)`,
        found: maxLength === undefined ? 'none' : show(maxLength),
      });
    } else {
      index.maxLength = maxLength;
    }
  }
  return index;
}

function scalarType(schema: JsonSchema): IndexValueType | undefined {
  if (typeof schema.type === 'string') return INDEXABLE.has(schema.type) ? (schema.type as IndexValueType) : undefined;
  if (schema.type === undefined && Array.isArray(schema.enum) && schema.enum.length > 0) {
    const types = new Set(schema.enum.map((value) => (Number.isInteger(value) ? 'integer' : typeof value)));
    const [only] = types;
    return types.size === 1 && only && INDEXABLE.has(only) ? (only as IndexValueType) : undefined;
  }
  return undefined;
}

function describeType(schema: JsonSchema | undefined): string {
  if (!schema) return 'an unresolvable $ref';
  if (schema.type === undefined) return 'no single type';
  return `type ${show(schema.type)}`;
}

function checkDefault(root: JsonSchema, name: string, schema: JsonSchema, file: string, issues: SchemaIssue[]): void {
  try {
    const validate = strictAjv().compile({ ...schema, $defs: root.$defs ?? {} });
    if (!validate(schema.default)) {
      const issue = validate.errors?.[0];
      issues.push({
        file,
        pointer: pointerJoin('/properties', name, 'default'),
        expected: `a default the attribute's own schema accepts (${issue?.message ?? 'rejected'}${issue?.instancePath ? ' at ' + issue.instancePath : ''})`,
        found: show(schema.default),
      });
    }
  } catch {
    // The attribute schema itself is invalid; checkAttributeSchemas reported it.
  }
}

function checkPrefixesDistinct(families: PatternAttributeModel[], file: string, issues: SchemaIssue[]): void {
  for (let i = 0; i < families.length; i++) {
    for (let j = i + 1; j < families.length; j++) {
      const a = families[i]!.prefix;
      const b = families[j]!.prefix;
      if (a && b && (a.startsWith(b) || b.startsWith(a))) {
        issues.push({
          file,
          pointer: pointerJoin('/patternProperties', families[j]!.pattern),
          expected: `a literal prefix that does not overlap another family's ('${a}' and '${b}')`,
        });
      }
    }
  }
}
