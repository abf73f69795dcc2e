import type { GeodeSessionRegions } from '@sessiongen/runtime/geode';

/** Where LedgerSession sessions are kept in Apache Geode / GemFire: the regions 'Ledger_Sessions' and 'Ledger_Sessions-long' of cache.xml beside this file, with one top-level string field per index. */
export const ledgerSessionGeodeRegions: GeodeSessionRegions = {
  region: 'Ledger_Sessions',
  longRegion: 'Ledger_Sessions-long',
  entryTtlSeconds: 0,
  redundantCopies: 2,
  indexFields: [
    { index: 'accountNumber', attribute: 'accountNumber', field: 'account_number', type: 'integer' },
    { index: 'verified', attribute: 'verified', field: 'verified', type: 'boolean' },
    { index: 'riskScore', attribute: 'riskScore', field: 'risk_score', type: 'number' },
    { index: 'order', attribute: 'order', field: 'order', type: 'string' },
  ],
  };
