-- 0005_tickets: /ws tickets any node can redeem (issue 6).
-- The same table as migrations/sqlite/0005_tickets.sql.
--
-- A ticket opens one socket as its user: the browser gets it from
-- POST /api/ws-ticket on one node and may connect to another. Only the
-- hex SHA-256 of the ticket is kept; redeeming deletes the row, so a
-- ticket is used once. A single node keeps its tickets in memory instead.
CREATE TABLE ws_tickets (
    hash       TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL,
    name       TEXT NOT NULL DEFAULT '',
    role       TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);

-- The purge of expired, never redeemed tickets.
CREATE INDEX ws_tickets_expires ON ws_tickets (expires_at);
