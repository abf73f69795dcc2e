import type { SqlShape } from '../ddl-file.js';

/** Where the migrations live under the output folder. */
export const MIGRATIONS_DIR = 'sql/migrations';

/** The snapshot each migration folder keeps: the SQL shape of the schema after that migration. */
export interface MigrationSnapshot extends SqlShape {
  /** Marks the file as sessiongen's (so `generate` may replace or remove it). */
  $comment: string;
  version: 1;
  /** `NNNN_name`, the folder name. */
  id: string;
  /** The migration before this one, or null for the first. */
  previous: string | null;
}

const SNAPSHOT_PATH = /^sql\/migrations\/(\d{4})_([a-z0-9_]+)\/snapshot\.json$/;

/**
 * The snapshots of the migrations already emitted, oldest first, read from what the output folder
 * held before this run (`previous`: path → content).
 */
export function previousSnapshots(previous: ReadonlyMap<string, string> | undefined): MigrationSnapshot[] {
  if (!previous) return [];
  const found: MigrationSnapshot[] = [];
  for (const [path, content] of previous) {
    const match = SNAPSHOT_PATH.exec(path);
    if (!match) continue;
    let snapshot: MigrationSnapshot;
    try {
      snapshot = JSON.parse(content) as MigrationSnapshot;
    } catch (err) {
      throw new Error(`${path}: not valid JSON (${(err as Error).message}); restore it from version control`);
    }
    if (snapshot.version !== 1 || snapshot.id !== `${match[1]}_${match[2]}` || !Array.isArray(snapshot.indexes)) {
      throw new Error(`${path}: not a sessiongen migration snapshot (expected version 1 and id ${match[1]}_${match[2]})`);
    }
    found.push(snapshot);
  }
  found.sort((a, b) => (a.id < b.id ? -1 : 1));
  found.forEach((snapshot, i) => {
    const expected = String(i + 1).padStart(4, '0');
    if (!snapshot.id.startsWith(expected)) throw new Error(`sql/migrations: expected migration ${expected}, found ${snapshot.id} (a folder is missing)`);
  });
  return found;
}
