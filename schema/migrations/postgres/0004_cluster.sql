-- 0004_cluster: several nodes on one database (issue 6).
-- The same columns as migrations/sqlite/0004_cluster.sql, where a single
-- process never uses them.
--
-- A conversation's dialog runs on one node at a time. The node that runs
-- it holds a lease: runner_node names it, and runner_fence grows by one
-- each time a node takes the lease. Every dialog write carries the fence
-- it was made under and commits only while the row still has it, so a
-- node that lost the lease (it stalled, another node took over) can no
-- longer write for the conversation.
--
-- A lease lasts as long as its node's row in nodes is fresh: each node
-- moves its expires_at forward several times per lease time, renewing
-- all its leases in one statement. A node that stops doing so is dead to
-- the others once expires_at has passed, and they take its conversations.
ALTER TABLE sessions ADD COLUMN runner_node TEXT;
ALTER TABLE sessions ADD COLUMN runner_fence BIGINT NOT NULL DEFAULT 0;

-- Releasing all of a node's leases when it stops.
CREATE INDEX sessions_runner ON sessions (runner_node) WHERE runner_node IS NOT NULL;

CREATE TABLE nodes (
    id         TEXT PRIMARY KEY,
    started_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL   -- its leases are void after this
);
