import { ddlTemplates, pathLiteral, type SqlDdl } from '../dialect.js';

const bracket = (identifier: string) => `[${identifier.replace(/]/g, ']]')}]`;

/** SQL Server DDL (emitted only: the store does not run on SQL Server): `NVARCHAR(MAX)` attributes checked with `ISJSON`. */
export const mssqlDdl: SqlDdl = {
  quote: bracket,
  templates: ddlTemplates('mssql'),
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
