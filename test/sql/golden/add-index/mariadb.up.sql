-- 0002_add_tenant_id_index, mariadb, up.
ALTER TABLE `app_session` ADD COLUMN `tenant_id` VARCHAR(63) NULL;
UPDATE `app_session` SET `tenant_id` = JSON_UNQUOTE(JSON_EXTRACT(`attributes`, '$."tenantId"'));
CREATE INDEX `app_session_tenant_id_ix` ON `app_session` (`tenant_id`);
