-- 0006_client_id_index: only messages with a client id are in the client
-- id index (issue 8). The UNIQUE (session_id, client_id) of 0001 put
-- every message in it, the bot's too (client_id NULL), which cost a page
-- write per reply for nothing: NULLs never collide. A partial unique
-- index keeps the guarantee for the messages that have one. SQLite cannot
-- drop a table constraint, so the table is copied once, rowids and all.
CREATE TABLE message_history_new (
    id          TEXT PRIMARY KEY,
    session_id  TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    sender      TEXT NOT NULL,
    content     TEXT NOT NULL,
    client_id   TEXT,                    -- NULL when the client gave none
    attachments TEXT,                    -- JSON, NULL when none
    metadata    TEXT,                    -- JSON, NULL when none
    created_at  TEXT NOT NULL,
    -- The seq index is also the one every history read walks.
    UNIQUE (session_id, seq)
);

INSERT INTO message_history_new (rowid, id, session_id, seq, sender, content, client_id, attachments, metadata, created_at)
SELECT rowid, id, session_id, seq, sender, content, client_id, attachments, metadata, created_at FROM message_history;

DROP TABLE message_history;

ALTER TABLE message_history_new RENAME TO message_history;

-- AppendMessage's lookup (session_id = ? AND client_id = ?) implies
-- client_id IS NOT NULL, so SQLite uses this index for it.
CREATE UNIQUE INDEX message_history_client ON message_history (session_id, client_id) WHERE client_id IS NOT NULL;
