import { springJdbcSubject } from './spring-jdbc-subject.js';
import { describeConformance } from './suite.js';

describeConformance('spring jdbc (mariadb)', () => springJdbcSubject('mariadb'));
