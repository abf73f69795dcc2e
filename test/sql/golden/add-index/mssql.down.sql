-- 0002_add_tenant_id_index, mssql, down (emitted only: not run on a live server by the tests here).
DROP INDEX IF EXISTS [app_session_tenant_id_ix] ON [app_session];
ALTER TABLE [app_session] DROP COLUMN [tenant_id];
