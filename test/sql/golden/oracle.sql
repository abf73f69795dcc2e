-- oracle: emitted and golden-tested only; not run on a live server here.
CREATE TABLE "app_session" (
  "primary_id" VARCHAR2(36 CHAR) NOT NULL,
  "session_id" VARCHAR2(64 CHAR) NOT NULL,
  "creation_time" NUMBER(19,0) NOT NULL,
  "last_access_time" NUMBER(19,0) NOT NULL,
  "max_inactive_interval" NUMBER(10,0) NOT NULL,
  "expiry_time" NUMBER(19,0),
  "principal_name" VARCHAR2(100 CHAR),
  "tenant_id" VARCHAR2(63 CHAR),
  "attributes" CLOB DEFAULT '{}' NOT NULL CONSTRAINT "app_session_attributes_json" CHECK ("attributes" IS JSON),
  CONSTRAINT "app_session_pk" PRIMARY KEY ("primary_id")
);
CREATE UNIQUE INDEX "app_session_session_id_ux" ON "app_session" ("session_id");
CREATE INDEX "app_session_expiry_time_ix" ON "app_session" ("expiry_time");
CREATE INDEX "app_session_principal_name_ix" ON "app_session" ("principal_name");
CREATE INDEX "app_session_tenant_id_ix" ON "app_session" ("tenant_id");
