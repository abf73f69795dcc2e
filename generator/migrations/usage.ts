import { MIGRATIONS_DIR } from './snapshot.js';

/** `sessiongen migrate`'s usage text (kept apart so `generate` does not load knex). */
export const MIGRATE_USAGE = `usage: sessiongen migrate [--out DIR] [--client pg|mysql2|better-sqlite3] [--url URL] [--table NAME] [--rollback] [--status]

  --out DIR      where \`generate\` wrote (default: generated); reads DIR/${MIGRATIONS_DIR}/index.ts
  --client NAME  knex client (default: from the URL scheme: postgres:// → pg, mysql:// or mariadb:// → mysql2, else better-sqlite3)
  --url URL      the database (default: $DATABASE_URL; SQLite: a file path, default .data/sessions.db)
  --table NAME   another table than the schema's (such as a per-test table)
  --rollback     undo the last applied migration instead
  --status       list pending migrations, apply nothing`;
