-- 0002_add_tenant_id_index, sqlite, up.
ALTER TABLE "app_session" ADD COLUMN "tenant_id" TEXT;
UPDATE "app_session" SET "tenant_id" = json_extract("attributes", '$."tenantId"');
CREATE INDEX "app_session_tenant_id_ix" ON "app_session" ("tenant_id");
