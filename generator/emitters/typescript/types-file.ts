import { StructureKind, type IndexSignatureDeclarationStructure, type PropertySignatureStructure, type StatementStructures } from 'ts-morph';
import type { EmitContext, EmittedFile, Emitter } from '../../emit/file-map.js';
import { docs, printModule, propertyKey } from '../../emit/typescript.js';
import type { JsonSchema, SessionModel } from '../../model/model.js';
import { schemaToTs } from './schema-to-ts.js';

/** `types.ts`: the attributes interface, one type per `$defs` entry, and the typed session alias. */
export const typesEmitter: Emitter = {
  name: 'types',
  emit({ model, runtimeImport }: EmitContext): EmittedFile[] {
    const statements: StatementStructures[] = [
      {
        kind: StructureKind.ImportDeclaration,
        moduleSpecifier: runtimeImport,
        namedImports: ['Session'],
        isTypeOnly: true,
      },
    ];
    for (const def of model.defs) {
      if (isPlainObject(def.schema)) {
        statements.push({
          kind: StructureKind.Interface,
          name: def.name,
          isExported: true,
          docs: docs(def.description),
          properties: objectProperties(def.schema),
          indexSignatures: additionalSignature(def.schema),
        });
      } else {
        statements.push({ kind: StructureKind.TypeAlias, name: def.name, isExported: true, docs: docs(def.description), type: schemaToTs(def.schema) });
      }
    }
    statements.push({
      kind: StructureKind.Interface,
      name: `${model.name}Attributes`,
      isExported: true,
      docs: [[`The attributes of ${model.name}.`, model.description].filter(Boolean).join(' ')],
      properties: model.attributes.map((attribute) => ({
        name: attribute.name,
        hasQuestionToken: true,
        type: schemaToTs(attribute.schema),
        docs: docs(
          [attribute.description, attribute.hasDefault ? `Default: ${JSON.stringify(attribute.default)}.` : undefined]
            .filter(Boolean)
            .join(' ') || undefined,
        ),
      })),
      indexSignatures: [
        ...model.patternAttributes.map((family) => ({
          keyName: 'name',
          keyType: `\`${family.prefix.replace(/[`\\$]/g, '\\$&')}\${string}\``,
          returnType: schemaToTs(family.schema),
          docs: docs([family.description, `Names match ${family.pattern}.`].filter(Boolean).join(' ')),
        })),
        ...openSignature(model),
      ],
    });
    const withDefaults = model.attributes.filter((attribute) => attribute.hasDefault).map((attribute) => `'${attribute.name}'`);
    statements.push({
      kind: StructureKind.TypeAlias,
      name: `${model.name}Defaults`,
      isExported: true,
      docs: ['The attributes that have a schema default, so `get` never returns undefined for them.'],
      type: withDefaults.length ? withDefaults.join(' | ') : 'never',
    });
    statements.push({
      kind: StructureKind.TypeAlias,
      name: model.name,
      isExported: true,
      docs: [`A session whose attributes are typed by the schema.`],
      type: `Session<${model.name}Attributes, ${model.name}Defaults>`,
    });
    return [{ path: 'types.ts', content: printModule(statements) }];
  },
};

/**
 * Open attributes: any other name, typed `unknown` (the values are checked against the schema at
 * run time; a narrower type would clash with the declared attributes' types).
 */
function openSignature(model: SessionModel): IndexSignatureDeclarationStructure[] {
  if (!model.openAttributes) return [];
  const description = model.openAttributes.description;
  return [
    {
      kind: StructureKind.IndexSignature,
      keyName: 'name',
      keyType: 'string',
      returnType: 'unknown',
      docs: docs([description, 'Any other name: an open attribute, checked against the schema\'s additionalProperties.'].filter(Boolean).join(' ')),
    },
  ];
}

/** An object schema with declared properties and no combinators: printed as an interface. */
function isPlainObject(schema: JsonSchema): boolean {
  return schema.type === 'object' && typeof schema.properties === 'object' && !schema.anyOf && !schema.oneOf && !schema.allOf;
}

function objectProperties(schema: JsonSchema): PropertySignatureStructure[] {
  const required = new Set((schema.required as string[] | undefined) ?? []);
  return Object.entries(schema.properties as Record<string, JsonSchema>).map(([name, sub]) => ({
    kind: StructureKind.PropertySignature,
    name: propertyKey(name),
    hasQuestionToken: !required.has(name),
    type: schemaToTs(sub, '  '),
    docs: docs(typeof sub.description === 'string' ? sub.description : undefined),
  }));
}

function additionalSignature(schema: JsonSchema): IndexSignatureDeclarationStructure[] {
  const additional = schema.additionalProperties;
  if (additional === false) return [];
  const returnType = additional === undefined || additional === true ? 'unknown' : schemaToTs(additional as JsonSchema, '  ');
  return [{ kind: StructureKind.IndexSignature, keyName: 'key', keyType: 'string', returnType }];
}
