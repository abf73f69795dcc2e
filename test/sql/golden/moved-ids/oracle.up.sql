-- 0002_add_moved_ids_table, oracle, up (emitted only: not run on a live server by the tests here).
CREATE TABLE "app_session_moved_ids" (
  "old_id" VARCHAR2(64 CHAR) NOT NULL,
  "new_id" VARCHAR2(64 CHAR) NOT NULL,
  "expiry_time" NUMBER(19,0) NOT NULL,
  CONSTRAINT "app_session_moved_ids_pk" PRIMARY KEY ("old_id")
);
CREATE INDEX "app_session_moved_ids_expiry_time_ix" ON "app_session_moved_ids" ("expiry_time");
