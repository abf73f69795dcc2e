import { describeConformance } from '../conformance/suite.js';
import { openStore } from './helpers.js';

describeConformance('redis (3-master cluster)', async () => {
  const opened = await openStore('cluster');
  return { store: opened.store, expiredEvents: opened.store.notifications === 'on', close: opened.close };
});
