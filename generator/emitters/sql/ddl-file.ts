import { StructureKind, VariableDeclarationKind } from 'ts-morph';
import type { EmitContext, EmittedFile, Emitter } from '../../emit/file-map.js';
import { printModule } from '../../emit/typescript.js';
import { render } from '../../emit/templates.js';
import type { SessionModel } from '../../model/model.js';
import { DDL_DIALECTS, type DdlDialect } from './dialects.js';

/** The context every DDL template gets: names already quoted for the dialect. */
export function ddlContext(model: SessionModel, dialect: DdlDialect) {
  const table = model.stores.sql.table;
  const q = dialect.quote;
  return {
    table: q(table),
    indexes: model.indexes.map((index) => ({
      column: q(index.column),
      type: dialect.indexColumnType(index),
      indexName: q(`${table}_${index.column}_ix`),
    })),
    sessionIdIndex: q(`${table}_session_id_ux`),
    expiryIndex: q(`${table}_expiry_time_ix`),
  };
}

/** Splits a rendered DDL script into statements (each ends with `;` at a line end). */
export function splitStatements(script: string): string[] {
  return script
    .split(/;\s*\n/)
    .map((statement) => statement.replace(/^\s*--.*$/gm, '').trim())
    .filter(Boolean);
}

/** `sql/<dialect>.sql` per dialect, and `sql/schema.ts` with the same statements for the runtime. */
export const ddlEmitter: Emitter = {
  name: 'sql-ddl',
  emit({ model }: EmitContext): EmittedFile[] {
    const files: EmittedFile[] = [];
    const statements: Record<string, string[]> = {};
    for (const dialect of DDL_DIALECTS) {
      const script = render(`sql/${dialect.name}/schema.sql.hbs`, ddlContext(model, dialect));
      files.push({ path: `sql/${dialect.name}.sql`, content: script });
      statements[dialect.name] = splitStatements(script);
    }
    const body = Object.entries(statements)
      .map(([name, list]) => `  ${name}: [\n${list.map((s) => `    ${JSON.stringify(s)},`).join('\n')}\n  ],`)
      .join('\n');
    const content = printModule([
      {
        kind: StructureKind.VariableStatement,
        isExported: true,
        declarationKind: VariableDeclarationKind.Const,
        docs: [`The DDL statements that create the ${model.name} tables, per dialect.`],
        declarations: [{ name: `${model.camel}SqlSchema`, type: 'Readonly<Record<string, readonly string[]>>', initializer: `{\n${body}\n}` }],
      },
    ]);
    files.push({ path: 'sql/schema.ts', content });
    return files;
  },
};
