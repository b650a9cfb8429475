-- 0006_client_id_index: only messages with a client id are in the client
-- id index (issue 8); see migrations/sqlite/0006_client_id_index.sql.
-- The bot's messages (client_id NULL) never collide and no longer take an
-- entry. The unique index is built before the constraint goes, so the
-- guarantee holds throughout.
CREATE UNIQUE INDEX message_history_client ON message_history (session_id, client_id) WHERE client_id IS NOT NULL;

ALTER TABLE message_history DROP CONSTRAINT message_history_session_id_client_id_key;
