import { ddlTemplates, doubleQuote, type SqlDdl } from '../dialect.js';

const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** PostgreSQL DDL: `jsonb` attributes; an attribute is read out with `->>` and cast. */
export const postgresDdl: SqlDdl = {
  quote: doubleQuote,
  templates: ddlTemplates('postgres'),
  indexColumnType: (index) =>
    ({ string: index.maxLength ? `VARCHAR(${index.maxLength})` : 'TEXT', integer: 'BIGINT', number: 'DOUBLE PRECISION', boolean: 'BOOLEAN' })[index.type],
  extract(index, column) {
    const text = `(${column} ->> ${literal(index.attribute)})`;
    return { string: text, integer: `${text}::bigint`, number: `${text}::double precision`, boolean: `${text}::boolean` }[index.type];
  },
};
