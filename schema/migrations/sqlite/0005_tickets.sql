-- 0005_tickets: /ws tickets any node can redeem (issue 6). Only
-- PostgreSQL runs several nodes, and a single node keeps its tickets in
-- memory; SQLite has the table so that both schemas mean the same (see
-- migrations/postgres/0005_tickets.sql).
CREATE TABLE ws_tickets (
    hash       TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL,
    name       TEXT NOT NULL DEFAULT '',
    role       TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE INDEX ws_tickets_expires ON ws_tickets (expires_at);
