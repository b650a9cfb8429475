-- 0007_people: the people in a conversation (runtime.Session's Title,
-- Members, SupportStatus and AssignedAgent; runtime.Message's SenderName).
--
--   sessions.title           names the conversation; '' until someone
--                            names it
--   sessions.support_status  where it stands with the support desk
--                            (runtime.Support*): open until a bot hands
--                            it over, so every existing row is open
--   sessions.assigned_agent  the user id of the agent it is assigned to,
--                            '' when none
--   message_history.sender_name
--                            who wrote the message, from their
--                            credentials; '' for the bot, and for every
--                            message stored before this migration
--
-- ADD COLUMN with a constant default rewrites nothing: SQLite keeps the
-- default in the schema and hands it back for the rows that predate it.
ALTER TABLE sessions ADD COLUMN title TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN support_status TEXT NOT NULL DEFAULT 'open';
ALTER TABLE sessions ADD COLUMN assigned_agent TEXT NOT NULL DEFAULT '';
ALTER TABLE message_history ADD COLUMN sender_name TEXT NOT NULL DEFAULT '';

-- session_members: the users besides sessions.user_id who may read and
-- write a conversation (participants added at creation, agents who
-- joined). The owner is never a row here. A member is a row once (the
-- primary key, which AddMember's ON CONFLICT DO NOTHING relies on), and
-- the members come back in the order added: by added_at, then ord, the
-- member's position in the conversation (1, 2, …), which keeps that order
-- when several share a time (those added at creation do). The rows go
-- with their session (cascade: foreign keys are on, driver_sqlite.go).
CREATE TABLE session_members (
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL,
    ord        INTEGER NOT NULL,
    added_at   TEXT NOT NULL,
    -- Serves the members of one session (the session reads), AddMember's
    -- conflict and the cascade.
    PRIMARY KEY (session_id, user_id)
);

-- A member's list (ListSessions): the sessions of which the user is a
-- member, read from the index alone.
CREATE INDEX session_members_user ON session_members (user_id, session_id);
