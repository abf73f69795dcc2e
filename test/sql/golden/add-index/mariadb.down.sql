-- 0002_add_tenant_id_index, mariadb, down.
DROP INDEX IF EXISTS `app_session_tenant_id_ix` ON `app_session`;
ALTER TABLE `app_session` DROP COLUMN `tenant_id`;
