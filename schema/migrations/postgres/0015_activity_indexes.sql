-- 0015_activity_indexes: a turn moves its conversation in fewer indexes,
-- for PostgreSQL; migrations/sqlite/0015_activity_indexes.sql explains
-- each.
DROP INDEX sessions_user_activity;
DROP INDEX sessions_user_bot_status;
CREATE INDEX sessions_user_bot_status ON sessions (user_id, bot_id, status);
DROP INDEX sessions_anonymous_activity;
CREATE INDEX sessions_visitor_activity ON sessions (last_activity) WHERE anonymous;
