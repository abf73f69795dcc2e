-- mariadb: applied to a live server by the tests.
CREATE TABLE IF NOT EXISTS `app_session` (
  `primary_id` VARCHAR(36) NOT NULL,
  `session_id` VARCHAR(64) NOT NULL,
  `creation_time` BIGINT NOT NULL,
  `last_access_time` BIGINT NOT NULL,
  `max_inactive_interval` INT NOT NULL,
  `expiry_time` BIGINT NULL,
  `principal_name` VARCHAR(100) NULL,
  `tenant_id` VARCHAR(63) NULL,
  `attributes` JSON NOT NULL DEFAULT '{}',
  PRIMARY KEY (`primary_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE UNIQUE INDEX IF NOT EXISTS `app_session_session_id_ux` ON `app_session` (`session_id`);
CREATE INDEX IF NOT EXISTS `app_session_expiry_time_ix` ON `app_session` (`expiry_time`);
CREATE INDEX IF NOT EXISTS `app_session_principal_name_ix` ON `app_session` (`principal_name`);
CREATE INDEX IF NOT EXISTS `app_session_tenant_id_ix` ON `app_session` (`tenant_id`);
