import type { SessionDescriptor } from '../../runtime/core/descriptor.js';

/** The attributes the web tests use; the generated `AppSession` descriptor replaces this later. */
export interface FixtureAttributes {
  principalName?: string;
  counter?: number;
  [draft: `draft:${string}`]: string | undefined;
}

/** A hand-written descriptor with plain-function validators. */
export const fixtureDescriptor: SessionDescriptor = {
  name: 'FixtureSession',
  namespace: 'fixture',
  maxInactiveInterval: 1800,
  attributes: {
    principalName: {
      name: 'principalName',
      validate: (v: unknown) => typeof v === 'string' && v.length > 0 && v.length <= 100,
    },
    counter: {
      name: 'counter',
      validate: (v: unknown) => Number.isSafeInteger(v),
    },
  },
  patternAttributes: [
    {
      prefix: 'draft:',
      pattern: /^draft:[a-z0-9-]{1,40}$/,
      validate: (v: unknown) => typeof v === 'string' && v.length <= 1000,
    },
  ],
  indexes: [
    { name: 'principalName', attribute: 'principalName', type: 'string', maxLength: 100, column: 'principal_name' },
  ],
  principalIndex: 'principalName',
  sql: { table: 'fixture_session' },
  redis: { keyPrefix: 'fixture:session' },
  hazelcast: { map: 'fixture-sessions', backupCount: 1 },
};
