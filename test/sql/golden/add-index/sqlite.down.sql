-- 0002_add_tenant_id_index, sqlite, down.
DROP INDEX IF EXISTS "app_session_tenant_id_ix";
ALTER TABLE "app_session" DROP COLUMN "tenant_id";
