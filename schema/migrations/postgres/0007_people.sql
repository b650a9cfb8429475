-- 0007_people: the people in a conversation, for PostgreSQL. Same meaning
-- as migrations/sqlite/0007_people.sql, which explains each column:
-- sessions gets title, support_status (every existing row is 'open') and
-- assigned_agent, message_history gets sender_name, and session_members
-- holds a conversation's members besides its owner, in the order added
-- (added_at, then ord, the member's position in the conversation).
--
-- ADD COLUMN with a constant (non-volatile) DEFAULT is cheap since
-- PostgreSQL 11: the default is kept in the catalog and read for the old
-- rows, so neither table is rewritten, message_history included, however
-- long the history. The ACCESS EXCLUSIVE lock each ALTER takes is held
-- for a moment, not for a table scan (but it waits behind, and blocks
-- until then, any open transaction on the table).
ALTER TABLE sessions
    ADD COLUMN title TEXT NOT NULL DEFAULT '',
    ADD COLUMN support_status TEXT NOT NULL DEFAULT 'open',
    ADD COLUMN assigned_agent TEXT NOT NULL DEFAULT '';
ALTER TABLE message_history ADD COLUMN sender_name TEXT NOT NULL DEFAULT '';

CREATE TABLE session_members (
    session_id UUID NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL,
    ord        BIGINT NOT NULL,
    added_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (session_id, user_id)
);

-- A member's list (ListSessions), from the index alone.
CREATE INDEX session_members_user ON session_members (user_id, session_id);
