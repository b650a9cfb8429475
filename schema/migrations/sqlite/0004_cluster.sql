-- 0004_cluster: several nodes on one database (issue 6). Only PostgreSQL
-- runs several nodes; SQLite has the same columns so that both schemas
-- mean the same (see migrations/postgres/0004_cluster.sql). A dialog
-- write with fence 0, as a single SQLite process makes, is not checked.
ALTER TABLE sessions ADD COLUMN runner_node TEXT;
ALTER TABLE sessions ADD COLUMN runner_fence INTEGER NOT NULL DEFAULT 0;

CREATE INDEX sessions_runner ON sessions (runner_node) WHERE runner_node IS NOT NULL;

CREATE TABLE nodes (
    id         TEXT PRIMARY KEY,
    started_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
