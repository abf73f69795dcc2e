import { StructureKind, type StatementStructures } from 'ts-morph';
import type { EmitContext, EmittedFile, Emitter } from '../emit/file-map.js';
import { printModule } from '../emit/typescript.js';

/** `index.ts`: the one module applications import. */
export const indexEmitter: Emitter = {
  name: 'index',
  emit({ model }: EmitContext): EmittedFile[] {
    const statements: StatementStructures[] = [
      { kind: StructureKind.ExportDeclaration, moduleSpecifier: './types.js', isTypeOnly: true },
      { kind: StructureKind.ExportDeclaration, moduleSpecifier: './descriptor.js', namedExports: [`${model.camel}Descriptor`] },
      { kind: StructureKind.ExportDeclaration, moduleSpecifier: './repository.js', namedExports: [`${model.name}Repository`] },
      { kind: StructureKind.ExportDeclaration, moduleSpecifier: './sql/migrations/index.js', namedExports: [`${model.camel}SqlMigrations`] },
      { kind: StructureKind.ExportDeclaration, moduleSpecifier: './redis/keys.js', namedExports: [`${model.camel}RedisKeys`] },
      { kind: StructureKind.ExportDeclaration, moduleSpecifier: './hazelcast/mapping.js', namedExports: [`${model.camel}HazelcastMapping`] },
    ];
    return [{ path: 'index.ts', content: printModule(statements) }];
  },
};
