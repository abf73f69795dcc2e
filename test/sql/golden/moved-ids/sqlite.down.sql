-- 0002_add_moved_ids_table, sqlite, down.
DROP TABLE IF EXISTS "app_session_moved_ids";
