-- 0017_feed_move: nothing to do on SQLite. The PostgreSQL migration of
-- this number changes how a commit moves its feed events out of
-- feed_pending; SQLite numbers them as they are written (0011_feed.sql)
-- and has no such table. The file keeps the versions of both dialects
-- the same.
SELECT 1;
