import { SQL_COLUMNS, SQL_DIALECTS, SQL_MOVED_IDS_COLUMNS, sqlIndexName, sqlMovedIdsTableNames, sqlTableNames, type SqlDdl } from '@sessiongen/runtime/sql';
import type { EmitContext, EmittedFile, Emitter } from '../../emit/file-map.js';
import { render } from '../../emit/templates.js';
import type { IndexModel, SessionModel } from '../../model/model.js';

/** The SQL shape of a session table: what DDL and migrations depend on, and nothing else. */
export interface SqlShape {
  table: string;
  indexes: ReadonlyArray<Pick<IndexModel, 'name' | 'attribute' | 'column' | 'type' | 'maxLength'>>;
  /**
   * Whether the store's table of id-change markers exists (`<table>_moved_ids`, see the runtime's
   * `sqlMovedIdsTableNames`). Always true now; absent in snapshots made before the table existed.
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

/** Every value of `names`, quoted for the dialect. */
function quoted<K extends string>(names: Record<K, string>, ddl: SqlDdl): Record<K, string> {
  return Object.fromEntries(Object.entries<string>(names).map(([role, name]) => [role, ddl.quote(name)])) as Record<K, string>;
}

/** What the templates get for one indexed column: names already quoted for the dialect. */
export function indexContext(table: string, index: SqlShape['indexes'][number], ddl: SqlDdl) {
  const q = ddl.quote;
  return {
    table: q(table),
    column: q(index.column),
    type: ddl.indexColumnType(index),
    indexName: q(sqlIndexName(table, index.column)),
    extract: ddl.extract(index, q(SQL_COLUMNS.attributes)),
  };
}

/**
 * The context the whole-table templates get: the table, its fixed columns by role
 * (`columns.sessionId`), its own keys and indexes by role (`primaryKey`, `expiryIndex`, …) and
 * the index columns; every name quoted for the dialect.
 */
export function ddlContext(shape: SqlShape, ddl: SqlDdl) {
  const table = shape.table;
  return {
    table: ddl.quote(table),
    columns: quoted(SQL_COLUMNS, ddl),
    ...quoted(sqlTableNames(table), ddl),
    indexes: shape.indexes.map((index) => indexContext(table, index, ddl)),
  };
}

/**
 * The context of the id-change marker table's template (`moved-ids.sql.hbs`): its name, columns
 * by role (`columns.oldId`) and its own key and index names, quoted for the dialect.
 */
export function movedIdsContext(sessionTable: string, ddl: SqlDdl) {
  return { columns: quoted(SQL_MOVED_IDS_COLUMNS, ddl), ...quoted(sqlMovedIdsTableNames(sessionTable), ddl) };
}

/** Splits a rendered DDL script into statements (each ends with `;` at a line end). */
export function splitStatements(script: string): string[] {
  return script
    .split(/;\s*\n/)
    .map((statement) => statement.replace(/^\s*--.*$/gm, '').trim())
    .filter(Boolean);
}

/** `sql/<dialect>.sql` for every dialect (the tables themselves are made by the migrations, which hold the same DDL). */
export const ddlEmitter: Emitter = {
  name: 'sql-ddl',
  emit({ model }: EmitContext): EmittedFile[] {
    const files: EmittedFile[] = [];
    const shape = shapeOf(model);
    for (const dialect of SQL_DIALECTS) {
      const script =
        render(dialect.ddl.templates.createTable, ddlContext(shape, dialect.ddl)) + render(dialect.ddl.templates.createMovedIds, movedIdsContext(shape.table, dialect.ddl));
      const live = dialect.live ? 'applied to a live server by the tests' : 'emitted and golden-tested only; not run on a live server here';
      files.push({ path: `sql/${dialect.name}.sql`, content: `-- ${dialect.name}: ${live}.\n${script}` });
    }
    return files;
  },
};
