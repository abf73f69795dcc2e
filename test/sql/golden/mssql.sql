-- mssql: emitted and golden-tested only; not run on a live server here.
CREATE TABLE [app_session] (
  [primary_id] VARCHAR(36) NOT NULL,
  [session_id] VARCHAR(64) NOT NULL,
  [creation_time] BIGINT NOT NULL,
  [last_access_time] BIGINT NOT NULL,
  [max_inactive_interval] INT NOT NULL,
  [expiry_time] BIGINT NULL,
  [principal_name] NVARCHAR(100) NULL,
  [tenant_id] NVARCHAR(63) NULL,
  [attributes] NVARCHAR(MAX) NOT NULL CONSTRAINT [app_session_attributes_json] CHECK (ISJSON([attributes]) = 1),
  CONSTRAINT [app_session_pk] PRIMARY KEY ([primary_id])
);
CREATE UNIQUE INDEX [app_session_session_id_ux] ON [app_session] ([session_id]);
CREATE INDEX [app_session_expiry_time_ix] ON [app_session] ([expiry_time]);
CREATE INDEX [app_session_principal_name_ix] ON [app_session] ([principal_name]);
CREATE INDEX [app_session_tenant_id_ix] ON [app_session] ([tenant_id]);
