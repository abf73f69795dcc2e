import { openAppSessionDescriptor } from '../conformance/open-descriptor.js';
import { describeConformance } from '../conformance/suite.js';
import { LIBRARIES } from './helpers.js';
import { redisSubject } from './subject.js';

for (const library of LIBRARIES) {
  describeConformance(`redis (3-master cluster, ${library})`, () => redisSubject('cluster', library, openAppSessionDescriptor));
}
