-- 0008_bot_switch: the bot of a conversation can be switched off
-- (runtime.Session.BotOff). While it is off, user messages are stored and
-- delivered but the dialog does not hear them; every existing
-- conversation has its bot on. ADD COLUMN with a constant default
-- rewrites no rows (PostgreSQL 11 and later).
ALTER TABLE sessions ADD COLUMN bot_off BOOLEAN NOT NULL DEFAULT FALSE;
