import { Scope, StructureKind, type StatementStructures, type MethodDeclarationStructure } from 'ts-morph';
import type { EmitContext, EmittedFile, Emitter } from '../../emit/file-map.js';
import { printModule } from '../../emit/typescript.js';
import type { IndexModel, SessionModel } from '../../model/model.js';

/** `repository.ts`: a typed repository with `findByPrincipalName` and one finder per index. */
export const repositoryEmitter: Emitter = {
  name: 'repository',
  emit({ model, runtimeImport }: EmitContext): EmittedFile[] {
    const { name } = model;
    const statements: StatementStructures[] = [
      { kind: StructureKind.ImportDeclaration, moduleSpecifier: runtimeImport, namedImports: ['SessionRepository'] },
      {
        kind: StructureKind.ImportDeclaration,
        moduleSpecifier: runtimeImport,
        namedImports: ['RepositoryOptions', 'SessionStore'],
        isTypeOnly: true,
      },
      { kind: StructureKind.ImportDeclaration, moduleSpecifier: './descriptor.js', namedImports: [`${model.camel}Descriptor`] },
      {
        kind: StructureKind.ImportDeclaration,
        moduleSpecifier: './types.js',
        namedImports: [name, `${name}Attributes`, `${name}Defaults`],
        isTypeOnly: true,
      },
      {
        kind: StructureKind.Class,
        name: `${name}Repository`,
        isExported: true,
        extends: `SessionRepository<${name}Attributes, ${name}Defaults>`,
        docs: [`Stores and finds ${name}s in any sessiongen store.`],
        ctors: [
          {
            parameters: [
              { name: 'store', type: 'SessionStore' },
              { name: 'options', type: 'RepositoryOptions', initializer: '{}' },
            ],
            statements: [`super(${model.camel}Descriptor, store, options);`],
          },
        ],
        methods: finders(model),
      },
    ];
    return [{ path: 'repository.ts', content: printModule(statements) }];
  },
};

function finders(model: SessionModel): MethodDeclarationStructure[] {
  const methods: MethodDeclarationStructure[] = [];
  const principal = model.indexes.find((index) => index.isPrincipal);
  if (principal && principal.pascal !== 'PrincipalName') methods.push(finder(model, principal, 'PrincipalName'));
  for (const index of model.indexes) methods.push(finder(model, index, index.pascal));
  return methods;
}

function finder(model: SessionModel, index: IndexModel, suffix: string): MethodDeclarationStructure {
  const parameter = index.name;
  const tsType = index.type === 'integer' || index.type === 'number' ? 'number' : index.type;
  return {
    kind: StructureKind.Method,
    name: `findBy${suffix}`,
    scope: Scope.Public,
    docs: [`The live sessions whose \`${index.attribute}\` is \`${parameter}\`, keyed by session id.`],
    parameters: [{ name: parameter, type: tsType }],
    returnType: `Promise<Map<string, ${model.name}>>`,
    statements: [`return this.findByIndex('${index.name}', ${parameter});`],
  };
}
