-- 0011_feed: the caller's feed (GET /api/events, docs/protocol.md "The
-- feed"): one row per event of every conversation, in commit order.
--
--   feed_events.id          the event id a client resumes from; SQLite has
--                           one writer, so id order is commit order
--   feed_events.kind        message, created, updated or read
--   feed_events.seq         message: the message's seq (a pointer: the
--                           feed reads the message itself); read: the seq
--                           read up to
--   feed_events.payload     created and updated: the conversation's state
--                           after the change; read: the reader
--   feed_events.created_at  for the retention sweep
--
-- Triggers write the rows of messages and of sessions' changes, so that
-- every path that stores them (appends, dialog commits, the desk) writes
-- its feed row in the same transaction, and no path can forget to.
-- Read receipts are written by the store (the reader is not a column).
-- feed_horizon holds the highest id the retention sweep deleted: a client
-- resuming from below it has missed events and is told so.
--
-- The id is the rowid, without AUTOINCREMENT (whose sqlite_sequence write
-- per row cost turns/s, docs/benchmarks.md): it still only grows, because
-- nothing deletes the newest row (the sweep keeps it), so the next rowid
-- is always above every id handed out. There is no index on created_at:
-- ids are in commit order, so the sweep walks them from the oldest.
CREATE TABLE feed_events (
    id          INTEGER PRIMARY KEY,
    session_id  TEXT NOT NULL,
    kind        TEXT NOT NULL,
    seq         INTEGER NOT NULL DEFAULT 0,
    payload     TEXT,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE feed_horizon (
    one  INTEGER PRIMARY KEY CHECK (one = 1),
    id   INTEGER NOT NULL
);
INSERT INTO feed_horizon (one, id) VALUES (1, 0);

CREATE TRIGGER feed_message AFTER INSERT ON message_history
BEGIN
    INSERT INTO feed_events (session_id, kind, seq) VALUES (NEW.session_id, 'message', NEW.seq);
END;

CREATE TRIGGER feed_session_created AFTER INSERT ON sessions
BEGIN
    INSERT INTO feed_events (session_id, kind, payload) VALUES (NEW.id, 'created',
        json_object('bot_id', NEW.bot_id, 'user_id', NEW.user_id, 'title', NEW.title,
            'status', NEW.status, 'support_status', NEW.support_status,
            'assigned_agent', NEW.assigned_agent));
END;

CREATE TRIGGER feed_session_updated AFTER UPDATE OF status, support_status, assigned_agent ON sessions
WHEN OLD.status IS NOT NEW.status OR OLD.support_status IS NOT NEW.support_status
    OR OLD.assigned_agent IS NOT NEW.assigned_agent
BEGIN
    INSERT INTO feed_events (session_id, kind, payload) VALUES (NEW.id, 'updated',
        json_object('bot_id', NEW.bot_id, 'user_id', NEW.user_id, 'title', NEW.title,
            'status', NEW.status, 'support_status', NEW.support_status,
            'assigned_agent', NEW.assigned_agent));
END;
