-- 0003_api_keys: API keys (issue 7), the X-API-Key credential of REST.
-- The same table as migrations/sqlite/0003_api_keys.sql.
--
-- Only the hex SHA-256 of a key is stored; the key itself is printed once
-- by `parley apikey create` and never kept. last_used_at moves at most
-- once a minute per key; revoked_at is NULL while the key is in force.
CREATE TABLE api_keys (
    id           UUID PRIMARY KEY,
    user_id      TEXT NOT NULL,           -- no FK: the user may not have connected yet
    name         TEXT NOT NULL,
    role         TEXT NOT NULL DEFAULT 'user',
    key_hash     TEXT NOT NULL UNIQUE,    -- serves FindAPIKeyByHash
    created_at   TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ
);

-- ListAPIKeys.
CREATE INDEX api_keys_user ON api_keys (user_id, created_at);
