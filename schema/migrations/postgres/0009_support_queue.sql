-- 0009_support_queue: the support queue, for PostgreSQL. Same meaning as
-- migrations/sqlite/0009_support_queue.sql: the conversations of one
-- support status, oldest activity first, ties by id, read in index order.
-- CREATE INDEX (not CONCURRENTLY, which cannot run in the migration's
-- transaction) blocks writes to sessions while it builds.
CREATE INDEX sessions_support_queue ON sessions (support_status, last_activity, id);
