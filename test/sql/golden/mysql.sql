-- mysql: emitted and golden-tested only; not run on a live server here.
CREATE TABLE IF NOT EXISTS `app_session` (
  `primary_id` VARCHAR(36) NOT NULL,
  `session_id` VARCHAR(64) NOT NULL,
  `creation_time` BIGINT NOT NULL,
  `last_access_time` BIGINT NOT NULL,
  `max_inactive_interval` INT NOT NULL,
  `expiry_time` BIGINT NULL,
  `principal_name` VARCHAR(100) NULL,
  `tenant_id` VARCHAR(63) NULL,
  `attributes` JSON NOT NULL,
  PRIMARY KEY (`primary_id`),
  UNIQUE KEY `app_session_session_id_ux` (`session_id`),
  KEY `app_session_expiry_time_ix` (`expiry_time`),
  KEY `app_session_principal_name_ix` (`principal_name`),
  KEY `app_session_tenant_id_ix` (`tenant_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
