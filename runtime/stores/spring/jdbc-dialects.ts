import type { SqlDialectName } from '../sql/dialects/dialect.js';
import { mariadbSpringStatements } from '../sql/dialects/mariadb/spring.js';
import { mysqlSpringStatements } from '../sql/dialects/mysql/spring.js';
import { postgresSpringStatements } from '../sql/dialects/postgres/spring.js';
import { sqliteSpringStatements } from '../sql/dialects/sqlite/spring.js';
import type { SpringJdbcStatements } from './jdbc-dialect.js';

/** The Spring JDBC store's statements per dialect (the dialects the SQL store runs on). */
export const SPRING_JDBC_STATEMENTS: Readonly<Record<SqlDialectName, SpringJdbcStatements>> = {
  postgres: postgresSpringStatements,
  mysql: mysqlSpringStatements,
  mariadb: mariadbSpringStatements,
  sqlite: sqliteSpringStatements,
};
