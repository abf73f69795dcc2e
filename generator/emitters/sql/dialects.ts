import type { IndexModel } from '../../model/model.js';

/**
 * What differs between SQL dialects in the DDL, in one place: identifier quoting and column types.
 * Templates under templates/sql/<dialect>/ hold the statement shapes.
 */
export interface DdlDialect {
  readonly name: string;
  quote(identifier: string): string;
  /** Column type for an indexed attribute. */
  indexColumnType(index: IndexModel): string;
}

const sqlite: DdlDialect = {
  name: 'sqlite',
  quote: (identifier) => `"${identifier.replace(/"/g, '""')}"`,
  indexColumnType: (index) => {
    switch (index.type) {
      case 'string':
        return 'TEXT';
      case 'integer':
      case 'boolean':
        return 'INTEGER';
      case 'number':
        return 'REAL';
    }
  },
};

export const DDL_DIALECTS: readonly DdlDialect[] = [sqlite];
