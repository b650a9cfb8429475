-- 0013_message_entries: a message row carries the journal entry it is
-- (schema/journal_carry.go). A bot message stored with its TALK keeps
-- that entry in run, idx and entry (the TALK's value, a hash); a user
-- message stored with the HEAR that took it keeps run and idx, its
-- content being the HEAR's value (entry NULL). The journal of a run is
-- then its dialog_journal rows and the message rows with that run, read
-- together in idx order; those rows have seqs above the session's
-- run_base (consumed_seq when the run started), so a journal read walks
-- the (session_id, seq) index from there. Existing messages carry
-- nothing and existing journals stay as they are: a run in progress goes
-- on, its old entries in dialog_journal and its new ones in its messages.
--
-- parked says the last entry of the current run is a park, so that
-- PendingDialogs need not find the run's last entry among both tables.
-- Constant defaults rewrite nothing.
ALTER TABLE message_history ADD COLUMN run INTEGER;
ALTER TABLE message_history ADD COLUMN idx INTEGER;
ALTER TABLE message_history ADD COLUMN entry TEXT;
ALTER TABLE sessions ADD COLUMN run_base INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN parked INTEGER NOT NULL DEFAULT 0;
UPDATE sessions SET parked = 1
WHERE run_ended = 0 AND (SELECT j.kind FROM dialog_journal j
	WHERE j.session_id = sessions.id AND j.run = sessions.run ORDER BY j.idx DESC LIMIT 1) = 'park';
