import type { SqlShape } from '../ddl-file.js';

type IndexShape = SqlShape['indexes'][number];

/** One change a migration makes, in order. */
export type MigrationStep =
  | { kind: 'create-table'; shape: SqlShape }
  | { kind: 'create-moved-ids'; table: string }
  | { kind: 'add-index'; table: string; index: IndexShape }
  | { kind: 'drop-index'; table: string; index: IndexShape };

const sameIndex = (a: IndexShape, b: IndexShape) =>
  a.column === b.column && a.type === b.type && a.maxLength === b.maxLength && a.attribute === b.attribute;

/**
 * The steps from one SQL shape to the next: nothing for changes that need no DDL (a timeout, a
 * non-indexed attribute), drop for an index gone, add (column, backfill, index) for a new one, and
 * drop then add for one whose type, width or attribute changed.
 */
export function diffShapes(from: SqlShape | null, to: SqlShape): MigrationStep[] {
  const movedIds: MigrationStep[] = to.movedIds && !from?.movedIds ? [{ kind: 'create-moved-ids', table: to.table }] : [];
  if (!from) return [{ kind: 'create-table', shape: to }, ...movedIds];
  if (from.table !== to.table) {
    throw new Error(
      `the SQL table changed from '${from.table}' to '${to.table}'; sessiongen does not emit table renames: ` +
        `rename it by hand (and its indexes), or start over by deleting generated/sql/migrations`,
    );
  }
  const steps: MigrationStep[] = [];
  for (const old of from.indexes) {
    const now = to.indexes.find((index) => index.column === old.column);
    if (!now || !sameIndex(old, now)) steps.push({ kind: 'drop-index', table: from.table, index: old });
  }
  for (const now of to.indexes) {
    const old = from.indexes.find((index) => index.column === now.column);
    if (!old || !sameIndex(old, now)) steps.push({ kind: 'add-index', table: to.table, index: now });
  }
  steps.push(...movedIds);
  return steps;
}

/** The steps that undo `steps`. */
export function reverseSteps(
  steps: readonly MigrationStep[],
): Array<MigrationStep | { kind: 'drop-table'; table: string } | { kind: 'drop-moved-ids'; table: string }> {
  return [...steps].reverse().map((step) => {
    if (step.kind === 'create-table') return { kind: 'drop-table' as const, table: step.shape.table };
    if (step.kind === 'create-moved-ids') return { kind: 'drop-moved-ids' as const, table: step.table };
    if (step.kind === 'add-index') return { ...step, kind: 'drop-index' as const };
    return { ...step, kind: 'add-index' as const };
  });
}

/**
 * A folder-friendly name for a migration: `initial`, `add_tenant_id_index`,
 * `drop_x_index_and_add_y_index`, `add_moved_ids_table` (a first migration is `initial` whatever
 * else it makes).
 */
export function migrationName(steps: readonly MigrationStep[]): string {
  const initial = steps.some((step) => step.kind === 'create-table');
  const parts = steps.flatMap((step) => {
    if (step.kind === 'create-table') return ['initial'];
    if (step.kind === 'create-moved-ids') return initial ? [] : ['add_moved_ids_table'];
    return [`${step.kind === 'add-index' ? 'add' : 'drop'}_${step.index.column}_index`];
  });
  const name = parts.join('_and_').toLowerCase().replace(/[^a-z0-9_]/g, '_');
  return name.length > 60 ? name.slice(0, 60).replace(/_+$/, '') : name;
}
