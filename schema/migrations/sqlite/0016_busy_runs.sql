-- 0016_busy_runs: PendingDialogs' third condition reads only the runs
-- that have work to do.
--
-- A run that has begun, not ended and is not parked in HEAR must be
-- resumed without a new message (PendingDialogs, schema/journal.go). It
-- read sessions_open_run, every run not ended, and checked parked on each
-- row: a bot that loops for ever (echo, welcome) never ends its run, so
-- that was every conversation, and on PostgreSQL every turn also added an
-- entry to it (a turn's UPDATE is not HOT there). The index now holds the
-- runs that are neither ended nor parked: a handful, between a message
-- and the commit that parks its dialog again.
DROP INDEX sessions_open_run;
CREATE INDEX sessions_busy_run ON sessions (id) WHERE run_ended = 0 AND parked = 0;
