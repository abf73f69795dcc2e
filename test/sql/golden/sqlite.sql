-- sqlite: applied to a live server by the tests.
CREATE TABLE IF NOT EXISTS "app_session" (
  "primary_id" TEXT NOT NULL PRIMARY KEY,
  "session_id" TEXT NOT NULL,
  "creation_time" INTEGER NOT NULL,
  "last_access_time" INTEGER NOT NULL,
  "max_inactive_interval" INTEGER NOT NULL,
  "expiry_time" INTEGER,
  "principal_name" TEXT,
  "tenant_id" TEXT,
  "attributes" TEXT NOT NULL DEFAULT '{}' CHECK (json_valid("attributes"))
);
CREATE UNIQUE INDEX IF NOT EXISTS "app_session_session_id_ux" ON "app_session" ("session_id");
CREATE INDEX IF NOT EXISTS "app_session_expiry_time_ix" ON "app_session" ("expiry_time");
CREATE INDEX IF NOT EXISTS "app_session_principal_name_ix" ON "app_session" ("principal_name");
CREATE INDEX IF NOT EXISTS "app_session_tenant_id_ix" ON "app_session" ("tenant_id");
