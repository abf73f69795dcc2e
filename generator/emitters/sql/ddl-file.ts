import { movedIdsTable } from '@sessiongen/runtime/sql';
import type { EmitContext, EmittedFile, Emitter } from '../../emit/file-map.js';
import { render } from '../../emit/templates.js';
import type { IndexModel, SessionModel } from '../../model/model.js';
import { DDL_DIALECTS, type DdlDialect } from './dialects.js';

/** The SQL shape of a session table: what DDL and migrations depend on, and nothing else. */
export interface SqlShape {
  table: string;
  indexes: ReadonlyArray<Pick<IndexModel, 'name' | 'attribute' | 'column' | 'type' | 'maxLength'>>;
  /**
   * Whether the store's table of id-change markers exists (`<table>_moved_ids`, see the runtime's
   * `movedIdsTable`). Always true now; absent in snapshots made before the table existed.
   */
  movedIds?: true;
}

export function shapeOf(model: SessionModel): SqlShape {
  return {
    table: model.stores.sql.table,
    movedIds: true,
    indexes: model.indexes.map(({ name, attribute, column, type, maxLength }) => (maxLength === undefined ? { name, attribute, column, type } : { name, attribute, column, type, maxLength })),
  };
}

/** What the templates get for one indexed column: names already quoted for the dialect. */
export function indexContext(table: string, index: SqlShape['indexes'][number], dialect: DdlDialect) {
  const q = dialect.quote;
  return {
    table: q(table),
    column: q(index.column),
    type: dialect.indexColumnType(index as IndexModel),
    indexName: q(`${table}_${index.column}_ix`),
    extract: dialect.extract(index as IndexModel, q('attributes')),
  };
}

/** The context the whole-table templates get. */
export function ddlContext(shape: SqlShape, dialect: DdlDialect) {
  const q = dialect.quote;
  const table = shape.table;
  return {
    table: q(table),
    indexes: shape.indexes.map((index) => indexContext(table, index, dialect)),
    primaryKey: q(`${table}_pk`),
    jsonCheck: q(`${table}_attributes_json`),
    sessionIdIndex: q(`${table}_session_id_ux`),
    expiryIndex: q(`${table}_expiry_time_ix`),
  };
}

/** The context of the id-change marker table's template (`moved-ids.sql.hbs`). */
export function movedIdsContext(sessionTable: string, dialect: DdlDialect) {
  const q = dialect.quote;
  const table = movedIdsTable(sessionTable);
  return { table: q(table), primaryKey: q(`${table}_pk`), expiryIndex: q(`${table}_expiry_time_ix`) };
}

/** Splits a rendered DDL script into statements (each ends with `;` at a line end). */
export function splitStatements(script: string): string[] {
  return script
    .split(/;\s*\n/)
    .map((statement) => statement.replace(/^\s*--.*$/gm, '').trim())
    .filter(Boolean);
}

/** `sql/<dialect>.sql` for the six dialects (the tables themselves are made by the migrations, which hold the same DDL). */
export const ddlEmitter: Emitter = {
  name: 'sql-ddl',
  emit({ model }: EmitContext): EmittedFile[] {
    const files: EmittedFile[] = [];
    const shape = shapeOf(model);
    for (const dialect of DDL_DIALECTS) {
      const script =
        render(`sql/${dialect.name}/schema.sql.hbs`, ddlContext(shape, dialect)) + render(`sql/${dialect.name}/moved-ids.sql.hbs`, movedIdsContext(shape.table, dialect));
      const live = dialect.live ? 'applied to a live server by the tests' : 'emitted and golden-tested only; not run on a live server here';
      files.push({ path: `sql/${dialect.name}.sql`, content: `-- ${dialect.name}: ${live}.\n${script}` });
    }
    return files;
  },
};
