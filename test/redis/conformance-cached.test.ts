import { openAppSessionDescriptor } from '../conformance/open-descriptor.js';
import { describeConformance } from '../conformance/suite.js';
import { LIBRARIES } from './helpers.js';
import { redisSubject } from './subject.js';

// The whole suite with the client-side cache on (both instances of the two-instance cases cache).
for (const library of LIBRARIES) {
  describeConformance(`redis (standalone, ${library}, client cache)`, () => redisSubject('standalone', library, openAppSessionDescriptor, { clientCache: true }));
}
