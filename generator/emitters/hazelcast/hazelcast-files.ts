import { StructureKind, VariableDeclarationKind, type StatementStructures } from 'ts-morph';
import { hazelcastIndexName } from '@sessiongen/runtime/hazelcast';
import type { EmitContext, EmittedFile, Emitter } from '../../emit/file-map.js';
import { render } from '../../emit/templates.js';
import { printModule } from '../../emit/typescript.js';
import type { SessionModel } from '../../model/model.js';

/** The map's default TTL: the schema's timeout, or 0 (none) when sessions never expire by default. */
export function mapTtlSeconds(model: SessionModel): number {
  return model.maxInactiveInterval > 0 ? model.maxInactiveInterval : 0;
}

/** What both member config templates get. Every name is checked by the meta-schema (map) or the model (columns). */
export function memberConfigContext(model: SessionModel) {
  const map = model.stores.hazelcast.map;
  const ttlSeconds = mapTtlSeconds(model);
  return {
    name: model.name,
    map,
    backupCount: model.stores.hazelcast.backupCount,
    ttlSeconds,
    ttlNote: ttlSeconds > 0 ? `${ttlSeconds} s` : 'none: sessions never expire by default',
    hasIndexes: model.indexes.length > 0,
    indexes: model.indexes.map((index) => ({ indexName: hazelcastIndexName(map, index.column), field: index.column })),
  };
}

/**
 * Hazelcast: `hazelcast/member.xml` and `hazelcast/member.yaml` (the same member config, either
 * format), and `hazelcast/mapping.ts`, the data the store needs about the map (the document format
 * is the store's own). The two sides agree because both come from here: the map name, its TTL,
 * and the top-level JSON fields that the member indexes and the store's predicates query.
 */
export const hazelcastEmitter: Emitter = {
  name: 'hazelcast',
  emit({ model, runtimeImport }: EmitContext): EmittedFile[] {
    const context = memberConfigContext(model);
    return [
      { path: 'hazelcast/member.xml', content: render('hazelcast/member.xml.hbs', context) },
      { path: 'hazelcast/member.yaml', content: render('hazelcast/member.yaml.hbs', context) },
      { path: 'hazelcast/mapping.ts', content: mappingModule(model, runtimeImport) },
    ];
  },
};

function mappingModule(model: SessionModel, runtimeImport: string): string {
  const indexFields = model.indexes
    .map((index) => `  { index: ${str(index.name)}, attribute: ${str(index.attribute)}, field: ${str(index.column)}, type: ${str(index.type)} },`)
    .join('\n');
  const initializer = [
    '{',
    `map: ${str(model.stores.hazelcast.map)},`,
    `backupCount: ${model.stores.hazelcast.backupCount},`,
    `mapTtlSeconds: ${mapTtlSeconds(model)},`,
    `valueFormat: 'json',`,
    `indexFields: [${indexFields ? `\n${indexFields}\n` : ''}],`,
    '}',
  ].join('\n');
  const statements: StatementStructures[] = [
    { kind: StructureKind.ImportDeclaration, moduleSpecifier: `${runtimeImport}/hazelcast`, namedImports: ['HazelcastSessionMapping'], isTypeOnly: true },
    {
      kind: StructureKind.VariableStatement,
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      docs: [
        `How ${model.name} sessions are stored in the Hazelcast map '${model.stores.hazelcast.map}': one JSON value per ` +
          'session with the index fields at the top level, as indexed by member.xml / member.yaml beside this file.',
      ],
      declarations: [{ name: `${model.camel}HazelcastMapping`, type: 'HazelcastSessionMapping', initializer }],
    },
  ];
  return printModule(statements);
}

function str(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
