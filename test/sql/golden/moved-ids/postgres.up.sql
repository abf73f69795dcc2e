-- 0002_add_moved_ids_table, postgres, up.
CREATE TABLE IF NOT EXISTS "app_session_moved_ids" (
  "old_id" VARCHAR(64) NOT NULL,
  "new_id" VARCHAR(64) NOT NULL,
  "expiry_time" BIGINT NOT NULL,
  CONSTRAINT "app_session_moved_ids_pk" PRIMARY KEY ("old_id")
);
CREATE INDEX IF NOT EXISTS "app_session_moved_ids_expiry_time_ix" ON "app_session_moved_ids" ("expiry_time");
