-- 0006_client_id_index: only messages with a client id are in the client
-- id index (issue 8); see migrations/sqlite/0006_client_id_index.sql.
-- The bot's messages (client_id NULL) never collide and no longer take an
-- entry. The unique index is built before the constraint goes, so the
-- guarantee holds throughout. Building it holds back writes to the table;
-- on a large history an operator may build it first with CREATE UNIQUE
-- INDEX CONCURRENTLY under the same name (docs/deploy.md), and IF NOT
-- EXISTS takes that one.
CREATE UNIQUE INDEX IF NOT EXISTS message_history_client ON message_history (session_id, client_id) WHERE client_id IS NOT NULL;

ALTER TABLE message_history DROP CONSTRAINT message_history_session_id_client_id_key;
