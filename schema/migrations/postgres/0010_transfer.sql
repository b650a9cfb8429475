-- 0010_transfer: TRANSFER and the support desk's times, for PostgreSQL.
-- Same meaning as migrations/sqlite/0010_transfer.sql. ADD COLUMN with a
-- constant default or none rewrites no rows (PostgreSQL 11 and later).
ALTER TABLE sessions
    ADD COLUMN transfer TEXT NOT NULL DEFAULT '',
    ADD COLUMN transfer_reason TEXT NOT NULL DEFAULT '',
    ADD COLUMN transfer_outcome TEXT NOT NULL DEFAULT '',
    ADD COLUMN support_note TEXT NOT NULL DEFAULT '',
    ADD COLUMN resolved_by TEXT NOT NULL DEFAULT '',
    ADD COLUMN waiting_since TIMESTAMPTZ,
    ADD COLUMN first_reply_at TIMESTAMPTZ,
    ADD COLUMN resolved_at TIMESTAMPTZ;

CREATE INDEX sessions_waiting_since ON sessions (waiting_since) WHERE waiting_since IS NOT NULL;
