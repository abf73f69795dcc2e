import { mysqlFamilyDdl } from '../mysql/ddl.js';

/** MariaDB DDL: MySQL's, with JSON booleans compared as text. */
export const mariadbDdl = mysqlFamilyDdl('mariadb', (json) => `CASE ${json} WHEN 'true' THEN 1 WHEN 'false' THEN 0 END`);
