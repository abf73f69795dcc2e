-- 0002_add_moved_ids_table, mssql, down (emitted only: not run on a live server by the tests here).
DROP TABLE IF EXISTS [app_session_moved_ids];
