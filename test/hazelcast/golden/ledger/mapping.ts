import type { HazelcastSessionMapping } from '@sessiongen/runtime/hazelcast';

/** How LedgerSession sessions are stored in the Hazelcast map 'ledger.sessions': one JSON value per session with the index fields at the top level, as indexed by member.xml / member.yaml beside this file. */
export const ledgerSessionHazelcastMapping: HazelcastSessionMapping = {
  map: 'ledger.sessions',
  backupCount: 2,
  mapTtlSeconds: 0,
  valueFormat: 'json',
  indexFields: [
    { index: 'accountNumber', attribute: 'accountNumber', field: 'account_number', type: 'integer' },
    { index: 'verified', attribute: 'verified', field: 'verified', type: 'boolean' },
    { index: 'riskScore', attribute: 'riskScore', field: 'risk_score', type: 'number' },
  ],
  };
