import { ddlTemplates, doubleQuote, pathLiteral, type SqlDdl } from '../dialect.js';

/** Oracle DDL (emitted only: the store does not run on Oracle): `CLOB` attributes checked `IS JSON`, read with `JSON_VALUE … RETURNING`. */
export const oracleDdl: SqlDdl = {
  quote: doubleQuote,
  templates: ddlTemplates('oracle'),
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
