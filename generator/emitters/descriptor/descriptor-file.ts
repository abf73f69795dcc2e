import { StructureKind, VariableDeclarationKind, type StatementStructures } from 'ts-morph';
import type { EmitContext, EmittedFile, Emitter } from '../../emit/file-map.js';
import { printModule, propertyKey } from '../../emit/typescript.js';
import type { SessionModel } from '../../model/model.js';
import { attributeValidatorName, OPEN_ATTRIBUTES_VALIDATOR_NAME, patternValidatorName } from '../validators/validator-names.js';

/** `descriptor.ts`: the object the runtime consumes — validators, defaults, indexes, store names. */
export const descriptorEmitter: Emitter = {
  name: 'descriptor',
  emit({ model, runtimeImport }: EmitContext): EmittedFile[] {
    const validators = [
      ...model.attributes.map(attributeValidatorName),
      ...model.patternAttributes.map(patternValidatorName),
      ...(model.openAttributes ? [OPEN_ATTRIBUTES_VALIDATOR_NAME] : []),
    ];
    const statements: StatementStructures[] = [
      { kind: StructureKind.ImportDeclaration, moduleSpecifier: runtimeImport, namedImports: ['SessionDescriptor'], isTypeOnly: true },
      { kind: StructureKind.ImportDeclaration, moduleSpecifier: './validators.js', namedImports: validators },
      {
        kind: StructureKind.VariableStatement,
        isExported: true,
        declarationKind: VariableDeclarationKind.Const,
        docs: [`Everything the runtime needs to know about ${model.name} sessions, from ${model.sourcePath}.`],
        declarations: [{ name: `${model.camel}Descriptor`, type: 'SessionDescriptor', initializer: descriptorLiteral(model) }],
      },
    ];
    return [{ path: 'descriptor.ts', content: printModule(statements) }];
  },
};

function descriptorLiteral(model: SessionModel): string {
  const lines: string[] = ['{'];
  const add = (line: string) => lines.push(line);
  add(`name: ${str(model.name)},`);
  add(`namespace: ${str(model.namespace)},`);
  add(`maxInactiveInterval: ${model.maxInactiveInterval},`);
  add('attributes: {');
  for (const attribute of model.attributes) {
    const parts = [`name: ${str(attribute.name)}`, `validate: ${attributeValidatorName(attribute)}`];
    if (attribute.hasDefault) parts.push(`default: ${JSON.stringify(attribute.default)}`);
    add(`  ${propertyKey(attribute.name)}: { ${parts.join(', ')} },`);
  }
  add('},');
  add('patternAttributes: [');
  for (const family of model.patternAttributes) {
    const limit = family.maxAttributes === undefined ? '' : `, maxAttributes: ${family.maxAttributes}`;
    add(`  { prefix: ${str(family.prefix)}, pattern: new RegExp(${str(family.pattern)}, 'u'), validate: ${patternValidatorName(family)}${limit} },`);
  }
  add('],');
  if (model.openAttributes) add(`openAttributes: { validate: ${OPEN_ATTRIBUTES_VALIDATOR_NAME} },`);
  if (model.maxSessionBytes !== undefined) add(`maxSessionBytes: ${model.maxSessionBytes},`);
  add('indexes: [');
  for (const index of model.indexes) {
    const parts = [`name: ${str(index.name)}`, `attribute: ${str(index.attribute)}`, `type: ${str(index.type)}`];
    if (index.maxLength !== undefined) parts.push(`maxLength: ${index.maxLength}`);
    parts.push(`column: ${str(index.column)}`);
    add(`  { ${parts.join(', ')} },`);
  }
  add('],');
  if (model.principalIndex) add(`principalIndex: ${str(model.principalIndex)},`);
  if (model.absoluteTimeout !== undefined) add(`absoluteTimeout: ${model.absoluteTimeout},`);
  if (model.maxSessionsPerPrincipal) {
    add(`maxSessionsPerPrincipal: { max: ${model.maxSessionsPerPrincipal.max}, policy: ${str(model.maxSessionsPerPrincipal.policy)} },`);
  }
  if (model.touchInterval !== undefined) add(`touchInterval: ${model.touchInterval},`);
  if (model.devices) add('devices: true,');
  add(`sql: { table: ${str(model.stores.sql.table)} },`);
  add(`redis: { keyPrefix: ${str(model.stores.redis.keyPrefix)} },`);
  add(`hazelcast: { map: ${str(model.stores.hazelcast.map)}, backupCount: ${model.stores.hazelcast.backupCount} },`);
  if (model.spring) {
    const { namespace, table, redisRepository, redisExpirations } = model.spring;
    add(`spring: { namespace: ${str(namespace)}, table: ${str(table)}, redisRepository: ${str(redisRepository)}, redisExpirations: ${str(redisExpirations)} },`);
  }
  lines.push('}');
  return lines.join('\n');
}

function str(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
