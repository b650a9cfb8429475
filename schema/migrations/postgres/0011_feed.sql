-- 0011_feed: the caller's feed, for PostgreSQL. Same meaning as
-- migrations/sqlite/0011_feed.sql.
--
-- Sequence values are not in commit order across transactions (or
-- nodes), and a feed that resumes from an id must never skip a row that
-- commits later with a lower one. So every transaction that writes feed
-- rows first takes one advisory lock (feed_lock, per schema), held until
-- it commits: the ids are then taken, and committed, one transaction
-- after another. The committer takes it as its batch begins, and the
-- store's other write transactions as they begin (schema/feed.go), so
-- that no transaction holds a row lock while it waits for the feed's;
-- the triggers take it too, for a path that did not.
CREATE TABLE feed_events (
    id          BIGSERIAL PRIMARY KEY,
    session_id  UUID NOT NULL,
    kind        TEXT NOT NULL,
    seq         BIGINT NOT NULL DEFAULT 0,
    payload     JSONB,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX feed_events_created ON feed_events (created_at);

CREATE TABLE feed_horizon (
    one  INTEGER PRIMARY KEY CHECK (one = 1),
    id   BIGINT NOT NULL
);
INSERT INTO feed_horizon (one, id) VALUES (1, 0);

CREATE FUNCTION feed_lock() RETURNS void LANGUAGE sql AS
$$ SELECT pg_advisory_xact_lock(hashtext('parley feed_events'), hashtext(coalesce(current_schema(), ''))) $$;

-- One INSERT per statement (the committer stores a batch's appends in one).
CREATE FUNCTION feed_messages() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM feed_lock();
    INSERT INTO feed_events (session_id, kind, seq)
        SELECT session_id, 'message', seq FROM feed_new ORDER BY session_id, seq;
    RETURN NULL;
END $$;
CREATE TRIGGER feed_messages AFTER INSERT ON message_history
    REFERENCING NEW TABLE AS feed_new FOR EACH STATEMENT EXECUTE FUNCTION feed_messages();

CREATE FUNCTION feed_session() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM feed_lock();
    INSERT INTO feed_events (session_id, kind, payload) VALUES (NEW.id,
        CASE WHEN TG_OP = 'INSERT' THEN 'created' ELSE 'updated' END,
        jsonb_build_object('bot_id', NEW.bot_id, 'user_id', NEW.user_id, 'title', NEW.title,
            'status', NEW.status, 'support_status', NEW.support_status,
            'assigned_agent', NEW.assigned_agent));
    RETURN NULL;
END $$;
CREATE TRIGGER feed_session_created AFTER INSERT ON sessions
    FOR EACH ROW EXECUTE FUNCTION feed_session();
CREATE TRIGGER feed_session_updated AFTER UPDATE OF status, support_status, assigned_agent ON sessions
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status
        OR OLD.support_status IS DISTINCT FROM NEW.support_status
        OR OLD.assigned_agent IS DISTINCT FROM NEW.assigned_agent)
    EXECUTE FUNCTION feed_session();
