import { liveSqlSubject } from './sql-subject.js';
import { describeConformance } from './suite.js';

describeConformance('sqlite', () => liveSqlSubject('sqlite'));
