-- 0016_busy_runs: PendingDialogs' third condition reads only the runs
-- that have work to do, for PostgreSQL; migrations/sqlite/0016_busy_runs.sql
-- explains it. Here the sweep that runs it each second read every open
-- run's row behind the dead versions its turns left (65–80 ms a call
-- under load, docs/benchmarks.md), and every turn added an entry to
-- sessions_open_run.
DROP INDEX sessions_open_run;
CREATE INDEX sessions_busy_run ON sessions (id) WHERE run_ended = FALSE AND parked = FALSE;
