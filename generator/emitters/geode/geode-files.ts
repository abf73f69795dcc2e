import { StructureKind, VariableDeclarationKind, type StatementStructures } from 'ts-morph';
import {
  GEODE_DOCUMENT_FIELDS,
  GEODE_EXPIRY_GRACE_SECONDS,
  geodeEntryTtlSeconds,
  geodeFieldPath,
  geodeFromClause,
  geodeIndexName,
  geodeLongRegionName,
} from '@sessiongen/runtime/geode';
import type { EmitContext, EmittedFile, Emitter } from '../../emit/file-map.js';
import { render } from '../../emit/templates.js';
import { printModule } from '../../emit/typescript.js';
import type { SessionModel } from '../../model/model.js';

/**
 * The indexes of one region: one per schema index (the finders' lookups), and one on the expiry
 * field (the sweep's query). Region names are checked by the meta-schema, fields by the model.
 */
function regionIndexes(model: SessionModel, region: string) {
  const fields = [...model.indexes.map((index) => index.column), GEODE_DOCUMENT_FIELDS.expiresAt];
  return fields.map((field) => ({ name: geodeIndexName(region, field), fromClause: geodeFromClause(region), expression: xmlAttribute(geodeFieldPath(field)) }));
}

/** Text for a double-quoted XML attribute (the OQL field path quotes its field name). */
function xmlAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/** What the cache.xml template gets. */
export function cacheXmlContext(model: SessionModel) {
  const { region, redundantCopies } = model.stores.geode;
  const longRegion = geodeLongRegionName(region);
  const ttlSeconds = geodeEntryTtlSeconds(model.maxInactiveInterval);
  return {
    name: model.name,
    region,
    longRegion,
    redundantCopies,
    hasExpiringRegion: ttlSeconds > 0,
    ttlSeconds,
    graceSeconds: GEODE_EXPIRY_GRACE_SECONDS,
    timeoutNote: `${model.maxInactiveInterval} s`,
    regionIndexes: regionIndexes(model, region),
    longRegionIndexes: regionIndexes(model, longRegion),
  };
}

/**
 * Apache Geode / GemFire: `geode/cache.xml`, the server config (regions, their expiration, their
 * indexes), and `geode/region.ts`, the data the store needs about the regions (the document format
 * and the queries are the store's own). Both come from the schema and the store's layout module.
 */
export const geodeEmitter: Emitter = {
  name: 'geode',
  emit({ model, runtimeImport }: EmitContext): EmittedFile[] {
    return [
      { path: 'geode/cache.xml', content: render('geode/cache.xml.hbs', cacheXmlContext(model)) },
      { path: 'geode/region.ts', content: regionsModule(model, runtimeImport) },
    ];
  },
};

function regionsModule(model: SessionModel, runtimeImport: string): string {
  const { region, redundantCopies } = model.stores.geode;
  const indexFields = model.indexes
    .map((index) => `  { index: ${str(index.name)}, attribute: ${str(index.attribute)}, field: ${str(index.column)}, type: ${str(index.type)} },`)
    .join('\n');
  const initializer = [
    '{',
    `region: ${str(region)},`,
    `longRegion: ${str(geodeLongRegionName(region))},`,
    `entryTtlSeconds: ${geodeEntryTtlSeconds(model.maxInactiveInterval)},`,
    `redundantCopies: ${redundantCopies},`,
    `indexFields: [${indexFields ? `\n${indexFields}\n` : ''}],`,
    '}',
  ].join('\n');
  const statements: StatementStructures[] = [
    { kind: StructureKind.ImportDeclaration, moduleSpecifier: `${runtimeImport}/geode`, namedImports: ['GeodeSessionRegions'], isTypeOnly: true },
    {
      kind: StructureKind.VariableStatement,
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      docs: [
        `Where ${model.name} sessions are kept in Apache Geode / GemFire: the regions '${region}' and ` +
          `'${geodeLongRegionName(region)}' of cache.xml beside this file, with one top-level string field per index.`,
      ],
      declarations: [{ name: `${model.camel}GeodeRegions`, type: 'GeodeSessionRegions', initializer }],
    },
  ];
  return printModule(statements);
}

function str(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
