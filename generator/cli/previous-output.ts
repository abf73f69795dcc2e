import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS_DIR } from '../emitters/sql/migrations/snapshot.js';

/** The migration files already in an output folder (path relative to it → content). */
export function readPreviousOutput(outDir: string): Map<string, string> {
  const files = new Map<string, string>();
  const root = join(outDir, MIGRATIONS_DIR);
  if (!existsSync(root)) return files;
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const snapshot = join(root, entry.name, 'snapshot.json');
    if (existsSync(snapshot)) files.set(`${MIGRATIONS_DIR}/${entry.name}/snapshot.json`, readFileSync(snapshot, 'utf8'));
  }
  return files;
}
