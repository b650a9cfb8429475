-- 0015_activity_indexes: a turn moves its conversation in fewer indexes.
--
-- Every message sets sessions.last_activity, and SQLite (and PostgreSQL)
-- rewrites the entry of each index that holds the column: four of them
-- until now, which made a fifth of the store's work per turn. Two held it
-- for nothing and one for one rare query:
--
--   sessions_user_activity   (user_id, last_activity): a user's list reads
--                            only the ids of user_id = ? from it and sorts
--                            the page itself (it is a union with the
--                            conversations the user is a member of); the
--                            user_id prefix of sessions_user_bot_status
--                            does the same. Dropped.
--   sessions_user_bot_status (user_id, bot_id, status, last_activity): the
--                            newest active conversation of a user with a
--                            bot (FindLatestSession, on connect) sorts the
--                            few that match instead. Now without
--                            last_activity.
--   sessions_anonymous_activity (anonymous, last_activity): only the sweep
--                            of idle visitors reads it, and only for
--                            visitors. Now a partial index of visitors'
--                            conversations, so a logged-in user's message
--                            does not touch it.
--
-- sessions_support_queue keeps last_activity: the desk's queue is ordered
-- by it.
DROP INDEX sessions_user_activity;
DROP INDEX sessions_user_bot_status;
CREATE INDEX sessions_user_bot_status ON sessions (user_id, bot_id, status);
DROP INDEX sessions_anonymous_activity;
CREATE INDEX sessions_visitor_activity ON sessions (last_activity) WHERE anonymous;
