import { ddlTemplates, doubleQuote, pathLiteral, type SqlDdl } from '../dialect.js';

/** SQLite DDL: attributes as checked JSON text; an attribute is read out with `json_extract`. */
export const sqliteDdl: SqlDdl = {
  quote: doubleQuote,
  templates: ddlTemplates('sqlite'),
  indexColumnType: (index) => ({ string: 'TEXT', integer: 'INTEGER', number: 'REAL', boolean: 'INTEGER' })[index.type],
  extract: (index, column) => `json_extract(${column}, ${pathLiteral(index.attribute)})`,
};
