-- 0002_add_moved_ids_table, sqlite, up.
CREATE TABLE IF NOT EXISTS "app_session_moved_ids" (
  "old_id" TEXT NOT NULL PRIMARY KEY,
  "new_id" TEXT NOT NULL,
  "expiry_time" INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS "app_session_moved_ids_expiry_time_ix" ON "app_session_moved_ids" ("expiry_time");
