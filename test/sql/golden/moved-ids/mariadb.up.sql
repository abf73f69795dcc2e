-- 0002_add_moved_ids_table, mariadb, up.
CREATE TABLE IF NOT EXISTS `app_session_moved_ids` (
  `old_id` VARCHAR(64) NOT NULL,
  `new_id` VARCHAR(64) NOT NULL,
  `expiry_time` BIGINT NOT NULL,
  PRIMARY KEY (`old_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX IF NOT EXISTS `app_session_moved_ids_expiry_time_ix` ON `app_session_moved_ids` (`expiry_time`);
