/**
 * The SQL store's move markers live in a table of their own beside the session table, made by the
 * generated migrations (`add_moved_ids_table`): one row per recent id change, `old_id` (primary
 * key) → `new_id`, kept until `expiry_time` (epoch ms; indexed, for the cleanup). The generator
 * names the table through this function, so the DDL and the store always agree.
 */
export function movedIdsTable(sessionTable: string): string {
  return `${sessionTable}_moved_ids`;
}
