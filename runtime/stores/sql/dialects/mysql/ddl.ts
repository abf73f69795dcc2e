import { backtick, ddlTemplates, pathLiteral, type SqlDdl, type SqlDdlDialectName } from '../dialect.js';

/**
 * MySQL-family DDL (mariadb/ddl.ts uses it too): a `JSON` attributes column, read out with
 * `JSON_EXTRACT`. The two differ in how a JSON `true`/`false` compares, given as `boolean`.
 */
export function mysqlFamilyDdl(dialect: SqlDdlDialectName, boolean: (json: string) => string): SqlDdl {
  return {
    quote: backtick,
    templates: ddlTemplates(dialect),
    indexColumnType: (index) =>
      ({ string: `VARCHAR(${index.maxLength ?? 255})`, integer: 'BIGINT', number: 'DOUBLE', boolean: 'TINYINT(1)' })[index.type],
    extract(index, column) {
      const json = `JSON_EXTRACT(${column}, ${pathLiteral(index.attribute)})`;
      return { string: `JSON_UNQUOTE(${json})`, integer: `CAST(${json} AS SIGNED)`, number: `CAST(${json} AS DOUBLE)`, boolean: boolean(json) }[index.type];
    },
  };
}

/** MySQL 8 DDL (emitted, and applied to MariaDB in the tests where the two agree). */
export const mysqlDdl = mysqlFamilyDdl('mysql', (json) => `CASE WHEN ${json} = CAST('true' AS JSON) THEN 1 WHEN ${json} = CAST('false' AS JSON) THEN 0 END`);
