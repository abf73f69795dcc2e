-- postgres: applied to a live server by the tests.
CREATE TABLE IF NOT EXISTS "app_session" (
  "primary_id" VARCHAR(36) NOT NULL,
  "session_id" VARCHAR(64) NOT NULL,
  "creation_time" BIGINT NOT NULL,
  "last_access_time" BIGINT NOT NULL,
  "max_inactive_interval" INTEGER NOT NULL,
  "expiry_time" BIGINT,
  "principal_name" VARCHAR(100),
  "tenant_id" VARCHAR(63),
  "attributes" JSONB NOT NULL DEFAULT '{}'::jsonb,
  CONSTRAINT "app_session_pk" PRIMARY KEY ("primary_id")
);
CREATE UNIQUE INDEX IF NOT EXISTS "app_session_session_id_ux" ON "app_session" ("session_id");
CREATE INDEX IF NOT EXISTS "app_session_expiry_time_ix" ON "app_session" ("expiry_time");
CREATE INDEX IF NOT EXISTS "app_session_principal_name_ix" ON "app_session" ("principal_name");
CREATE INDEX IF NOT EXISTS "app_session_tenant_id_ix" ON "app_session" ("tenant_id");
