-- 0014_sender_id: who wrote a person's message, by user id, for
-- PostgreSQL; migrations/sqlite/0014_sender_id.sql explains the column.
-- A constant DEFAULT: no rewrite of message_history (see 0007_people).
ALTER TABLE message_history ADD COLUMN sender_id TEXT NOT NULL DEFAULT '';
