import { describeConformance } from '../conformance/suite.js';
import { openStore } from './helpers.js';

describeConformance('redis (standalone)', async () => {
  const opened = await openStore('standalone');
  return { store: opened.store, expiredEvents: opened.store.notifications === 'on', close: opened.close };
});
