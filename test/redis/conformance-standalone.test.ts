import { openAppSessionDescriptor } from '../conformance/open-descriptor.js';
import { describeConformance } from '../conformance/suite.js';
import { LIBRARIES } from './helpers.js';
import { redisSubject } from './subject.js';

for (const library of LIBRARIES) {
  describeConformance(`redis (standalone, ${library})`, () => redisSubject('standalone', library, openAppSessionDescriptor));
}
