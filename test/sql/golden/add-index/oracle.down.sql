-- 0002_add_tenant_id_index, oracle, down (emitted only: not run on a live server by the tests here).
DROP INDEX "app_session_tenant_id_ix";
ALTER TABLE "app_session" DROP COLUMN "tenant_id";
