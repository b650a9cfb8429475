-- 0003_api_keys: API keys (issue 7), the X-API-Key credential of REST.
--
-- Only the hex SHA-256 of a key is stored; the key itself is printed once
-- by `parley apikey create` and never kept. last_used_at moves at most
-- once a minute per key; revoked_at is NULL while the key is in force.
CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,        -- a UUID
    user_id      TEXT NOT NULL,           -- no FK: the user may not have connected yet
    name         TEXT NOT NULL,
    role         TEXT NOT NULL DEFAULT 'user',
    key_hash     TEXT NOT NULL UNIQUE,    -- serves FindAPIKeyByHash
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);

-- ListAPIKeys.
CREATE INDEX api_keys_user ON api_keys (user_id, created_at);
