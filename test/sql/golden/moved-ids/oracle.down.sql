-- 0002_add_moved_ids_table, oracle, down (emitted only: not run on a live server by the tests here).
DROP TABLE "app_session_moved_ids" PURGE;
