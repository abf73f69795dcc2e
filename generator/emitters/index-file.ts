import { StructureKind, type StatementStructures } from 'ts-morph';
import type { EmitContext, EmittedFile, Emitter } from '../emit/file-map.js';
import { printModule } from '../emit/typescript.js';

/**
 * `index.ts`: what every application imports: the types, the descriptor and the repository, which
 * depend on the runtime core alone. Each store's generated data (`sql/migrations/index.js`,
 * `redis/keys.js`, `hazelcast/mapping.js`) is imported from its own module by the apps that use
 * that store, so an app's types never reach a driver it has not installed.
 */
export const indexEmitter: Emitter = {
  name: 'index',
  emit({ model }: EmitContext): EmittedFile[] {
    const statements: StatementStructures[] = [
      { kind: StructureKind.ExportDeclaration, moduleSpecifier: './types.js', isTypeOnly: true },
      { kind: StructureKind.ExportDeclaration, moduleSpecifier: './descriptor.js', namedExports: [`${model.camel}Descriptor`] },
      { kind: StructureKind.ExportDeclaration, moduleSpecifier: './repository.js', namedExports: [`${model.name}Repository`] },
    ];
    return [{ path: 'index.ts', content: printModule(statements) }];
  },
};
