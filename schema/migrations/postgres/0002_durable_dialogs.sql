-- 0002_durable_dialogs: what a dialog needs to survive a restart (issue 4),
-- for PostgreSQL. Same meaning as migrations/sqlite/0002_durable_dialogs.sql.
--
-- The dialog state of a conversation lives in its sessions row:
--   last_user_seq  seq of the newest user message (AppendMessage keeps it)
--   consumed_seq   seq of the newest user message the dialog has taken
--   run            how many times the script started from the top; 0: never
--   run_ended      the current run returned or failed
--   script_version the script version (content hash) the run is pinned to
--   wake_at        deadline of a pending WAIT, NULL when none
ALTER TABLE sessions
    ADD COLUMN last_user_seq BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN consumed_seq BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN run BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN run_ended BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN script_version TEXT NOT NULL DEFAULT '',
    ADD COLUMN wake_at TIMESTAMPTZ;

-- Conversations from before this migration had their dialog in memory
-- only, so whatever they were told is gone with the old process. Count
-- their user messages as taken: otherwise the first start-up after the
-- upgrade would feed every old message to a fresh run.
UPDATE sessions SET
    last_user_seq = coalesce((SELECT max(m.seq) FROM message_history m
        WHERE m.session_id = sessions.id AND m.sender = 'user'), 0),
    consumed_seq = coalesce((SELECT max(m.seq) FROM message_history m
        WHERE m.session_id = sessions.id AND m.sender = 'user'), 0);

-- dialog_journal is the journal of each conversation's current run
-- (runtime/journal.go): the inputs a replay answers from. A run's rows are
-- deleted when it ends, and all of a session's with it (cascade).
CREATE TABLE dialog_journal (
    session_id UUID NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    run        BIGINT NOT NULL,
    idx        BIGINT NOT NULL,          -- position in the run, from 1
    kind       TEXT NOT NULL,
    value      TEXT NOT NULL DEFAULT '',
    found      BOOLEAN NOT NULL DEFAULT FALSE,
    seq        BIGINT NOT NULL DEFAULT 0,
    -- Serves Journal, the end-of-run delete, the cascade and the "last
    -- entry of the current run" probe of PendingDialogs.
    PRIMARY KEY (session_id, run, idx)
);

-- scripts keeps every script version a run was pinned to, so that a
-- conversation finishes on the version it started with after the bot's
-- folder changed, even across restarts.
CREATE TABLE scripts (
    bot_id     TEXT NOT NULL,
    version    TEXT NOT NULL,            -- hash of source
    source     TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (bot_id, version)
);

-- PendingDialogs runs once at start-up. Each of its three conditions
-- reads one partial index, holding only the sessions that can match, so
-- start-up does not scan conversations that finished long ago. The query
-- spells run_ended = FALSE as here (schema/journal.go).
CREATE INDEX sessions_unconsumed ON sessions (id) WHERE last_user_seq > consumed_seq;
CREATE INDEX sessions_wake ON sessions (wake_at) WHERE wake_at IS NOT NULL;
CREATE INDEX sessions_open_run ON sessions (id) WHERE run_ended = FALSE;
