-- 0002_add_tenant_id_index, postgres, up.
ALTER TABLE "app_session" ADD COLUMN "tenant_id" VARCHAR(63);
UPDATE "app_session" SET "tenant_id" = ("attributes" ->> 'tenantId');
CREATE INDEX "app_session_tenant_id_ix" ON "app_session" ("tenant_id");
