-- 0010_transfer: a bot hands a conversation to people (TRANSFER), and the
-- support desk keeps the times its statistics need (runtime.Session).
--
--   sessions.transfer          the latest TRANSFER of the dialog, as
--                              "RUN.INDEX" of its journal entry; '' when
--                              the bot never handed the conversation over
--   sessions.transfer_reason   what the bot gave TRANSFER as its reason
--   sessions.transfer_outcome  '' while that TRANSFER waits for people,
--                              then 'resolved', 'closed' or 'timeout'
--   sessions.support_note      the note of the agent who resolved it
--   sessions.resolved_by       the name of that agent
--   sessions.waiting_since     when it last entered the support queue
--   sessions.first_reply_at    the first agent message after that
--   sessions.resolved_at       when it was last resolved or closed
--
-- The times are NULL until they happen. ADD COLUMN with a constant default
-- rewrites nothing.
ALTER TABLE sessions ADD COLUMN transfer TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN transfer_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN transfer_outcome TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN support_note TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN resolved_by TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN waiting_since TEXT;
ALTER TABLE sessions ADD COLUMN first_reply_at TEXT;
ALTER TABLE sessions ADD COLUMN resolved_at TEXT;

-- The desk's statistics (GET /api/support/stats) read the conversations
-- that entered the queue since a time; most conversations never did.
CREATE INDEX sessions_waiting_since ON sessions (waiting_since) WHERE waiting_since IS NOT NULL;
