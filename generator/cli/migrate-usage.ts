import { SQL_STORE_DIALECTS, sqlDialectOfUrl } from '@sessiongen/runtime/sql';
import { MIGRATIONS_DIR } from '../emitters/sql/migrations/snapshot.js';

/** The knex client `migrate` opens for each URL scheme, from the dialect registry. */
const clients = [...new Set(SQL_STORE_DIALECTS.map((dialect) => dialect.knexClients[0]))].join('|');
const schemes = SQL_STORE_DIALECTS.map((dialect) => `${dialect.urlSchemes.map((scheme) => `${scheme}://`).join(' or ')} → ${dialect.knexClients[0]}`).join(', ');

/** `sessiongen migrate`'s usage text (kept apart so `generate` does not load the migrate command). */
export const MIGRATE_USAGE = `usage: sessiongen migrate [--out DIR] [--client ${clients}] [--url URL] [--table NAME] [--rollback] [--status]

  --out DIR      where \`generate\` wrote (default: generated); reads the snapshots in DIR/${MIGRATIONS_DIR}/
  --client NAME  knex client (default: from the URL scheme: ${schemes}; a path → ${sqlDialectOfUrl(undefined).knexClients[0]})
  --url URL      the database (default: $DATABASE_URL; SQLite: a file path, default .data/sessions.db)
  --table NAME   another table than the schema's (such as a per-test table)
  --rollback     undo the last applied migration instead
  --status       list pending migrations, apply nothing`;
