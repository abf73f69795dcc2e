-- 0002_add_tenant_id_index, mssql, up (emitted only: not run on a live server by the tests here).
ALTER TABLE [app_session] ADD [tenant_id] NVARCHAR(63) NULL;
UPDATE [app_session] SET [tenant_id] = JSON_VALUE([attributes], '$."tenantId"');
CREATE INDEX [app_session_tenant_id_ix] ON [app_session] ([tenant_id]);
