-- 0012_uploads: files people and bots send in conversations
-- (runtime.Upload).
--
--   uploads       one row per file uploaded; the bytes are a blob named by
--                 sha256, outside the database, shared by uploads of the
--                 same content. id is TEXT in both dialects: a client
--                 names an upload, and any string it sends must simply
--                 not be found.
--   attached      1 once the upload was sent in a message: from then on
--                 it lives as long as a conversation it was sent in
--   orphan        set by a trigger when the last link of an attached upload
--                 goes: the sweep deletes it, so that it need not look
--                 at every upload ever sent
--   upload_links  the conversations an upload was sent in; deleting a
--                 conversation (or the expiry of a visitor's) deletes its
--                 links (ON DELETE CASCADE), and the upload sweep then
--                 deletes the uploads left with none.
CREATE TABLE uploads (
    id           TEXT PRIMARY KEY,
    owner        TEXT NOT NULL,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    kind         TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    width        INTEGER NOT NULL DEFAULT 0,
    height       INTEGER NOT NULL DEFAULT 0,
    attached     INTEGER NOT NULL DEFAULT 0,
    orphan       INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL
);
CREATE INDEX uploads_owner ON uploads (owner);
CREATE INDEX uploads_sha256 ON uploads (sha256);
CREATE INDEX uploads_unattached ON uploads (created_at) WHERE NOT attached;
CREATE INDEX uploads_orphan ON uploads (id) WHERE orphan;

CREATE TABLE upload_links (
    upload_id  TEXT NOT NULL REFERENCES uploads (id) ON DELETE CASCADE,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    PRIMARY KEY (upload_id, session_id)
);
CREATE INDEX upload_links_session ON upload_links (session_id);

CREATE TRIGGER upload_links_gone AFTER DELETE ON upload_links
BEGIN
    UPDATE uploads SET orphan = 1
    WHERE id = OLD.upload_id
      AND NOT EXISTS (SELECT 1 FROM upload_links WHERE upload_id = OLD.upload_id);
END;
