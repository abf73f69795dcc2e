import type { IndexModel } from '../../model/model.js';

/**
 * What differs between SQL dialects in the DDL, in one place: identifier quoting, column types and
 * how to read one attribute out of the JSON column (for backfills). Templates under
 * templates/sql/<dialect>/ hold the statement shapes.
 */
export interface DdlDialect {
  /** Folder under templates/sql/ and file name under generated/sql/. */
  readonly name: 'postgres' | 'mysql' | 'mariadb' | 'sqlite' | 'mssql' | 'oracle';
  /** Whether the tests here run this dialect's DDL on a live server. */
  readonly live: boolean;
  quote(identifier: string): string;
  /** Column type for an indexed attribute. */
  indexColumnType(index: IndexModel): string;
  /** An expression reading the index's attribute from the JSON column, typed like the column. */
  extract(index: IndexModel, attributesColumn: string): string;
}

const doubleQuote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;
const backtick = (identifier: string) => `\`${identifier.replace(/`/g, '``')}\``;
const bracket = (identifier: string) => `[${identifier.replace(/]/g, ']]')}]`;
/** A SQL string literal holding a JSON path to one top-level member. */
const pathLiteral = (attribute: string) => `'$."${attribute.replace(/'/g, "''").replace(/"/g, '\\"')}"'`;
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

const postgres: DdlDialect = {
  name: 'postgres',
  live: true,
  quote: doubleQuote,
  indexColumnType: (index) =>
    ({ string: index.maxLength ? `VARCHAR(${index.maxLength})` : 'TEXT', integer: 'BIGINT', number: 'DOUBLE PRECISION', boolean: 'BOOLEAN' })[index.type],
  extract(index, column) {
    const text = `(${column} ->> ${literal(index.attribute)})`;
    return { string: text, integer: `${text}::bigint`, number: `${text}::double precision`, boolean: `${text}::boolean` }[index.type];
  },
};

const mysqlFamily = (name: 'mysql' | 'mariadb', live: boolean): DdlDialect => ({
  name,
  live,
  quote: backtick,
  indexColumnType: (index) =>
    ({ string: `VARCHAR(${index.maxLength ?? 255})`, integer: 'BIGINT', number: 'DOUBLE', boolean: 'TINYINT(1)' })[index.type],
  extract(index, column) {
    const json = `JSON_EXTRACT(${column}, ${pathLiteral(index.attribute)})`;
    const bool =
      name === 'mariadb'
        ? `CASE ${json} WHEN 'true' THEN 1 WHEN 'false' THEN 0 END`
        : `CASE WHEN ${json} = CAST('true' AS JSON) THEN 1 WHEN ${json} = CAST('false' AS JSON) THEN 0 END`;
    return { string: `JSON_UNQUOTE(${json})`, integer: `CAST(${json} AS SIGNED)`, number: `CAST(${json} AS DOUBLE)`, boolean: bool }[index.type];
  },
});

const sqlite: DdlDialect = {
  name: 'sqlite',
  live: true,
  quote: doubleQuote,
  indexColumnType: (index) => ({ string: 'TEXT', integer: 'INTEGER', number: 'REAL', boolean: 'INTEGER' })[index.type],
  extract: (index, column) => `json_extract(${column}, ${pathLiteral(index.attribute)})`,
};

const mssql: DdlDialect = {
  name: 'mssql',
  live: false,
  quote: bracket,
  indexColumnType: (index) =>
    ({ string: `NVARCHAR(${index.maxLength ?? 255})`, integer: 'BIGINT', number: 'FLOAT', boolean: 'BIT' })[index.type],
  extract(index, column) {
    const value = `JSON_VALUE(${column}, ${pathLiteral(index.attribute)})`;
    return {
      string: value,
      integer: `CAST(${value} AS BIGINT)`,
      number: `CAST(${value} AS FLOAT)`,
      boolean: `CASE ${value} WHEN 'true' THEN 1 WHEN 'false' THEN 0 END`,
    }[index.type];
  },
};

const oracle: DdlDialect = {
  name: 'oracle',
  live: false,
  quote: doubleQuote,
  indexColumnType: (index) =>
    ({ string: `VARCHAR2(${index.maxLength ?? 255} CHAR)`, integer: 'NUMBER(19,0)', number: 'BINARY_DOUBLE', boolean: 'NUMBER(1,0)' })[index.type],
  extract(index, column) {
    const path = pathLiteral(index.attribute);
    return {
      string: `JSON_VALUE(${column}, ${path} RETURNING VARCHAR2(${index.maxLength ?? 255} CHAR))`,
      integer: `JSON_VALUE(${column}, ${path} RETURNING NUMBER(19,0))`,
      number: `JSON_VALUE(${column}, ${path} RETURNING BINARY_DOUBLE)`,
      boolean: `CASE JSON_VALUE(${column}, ${path}) WHEN 'true' THEN 1 WHEN 'false' THEN 0 END`,
    }[index.type];
  },
};

export const DDL_DIALECTS: readonly DdlDialect[] = [postgres, mysqlFamily('mysql', false), mysqlFamily('mariadb', true), sqlite, mssql, oracle];
