-- 0014_sender_id: who wrote a person's message, by user id.
--
--   message_history.sender_id  the user id of the person who wrote it
--                              (a visitor's: their conversation's
--                              generated user id); '' for the bot's, and
--                              for messages stored before this version,
--                              which name their author by sender_name only
ALTER TABLE message_history ADD COLUMN sender_id TEXT NOT NULL DEFAULT '';
