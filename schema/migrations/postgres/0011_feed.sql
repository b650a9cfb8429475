-- 0011_feed: the caller's feed, for PostgreSQL. Same meaning as
-- migrations/sqlite/0011_feed.sql: feed_events.id is the event id a client
-- resumes from, in commit order.
--
-- Sequence values taken while a transaction runs are not in commit order
-- across transactions (or nodes), and a feed that resumes from an id must
-- never skip a row that commits later with a lower one. So the triggers
-- write a transaction's events to feed_pending, unnumbered and without
-- any lock, and at commit a deferred trigger moves them to feed_events:
-- it takes one advisory lock (per schema), held from there to the end of
-- the commit, and numbers them in the order they were written. The lock
-- is taken after every row lock of the transaction, so it cannot
-- deadlock, and it is held only for the move: transactions run side by
-- side and only their commits' last step takes turns. An id is therefore
-- taken after every lower one has committed.
--
-- A transaction sees only its own feed_pending rows (others' are not
-- committed, and are moved before they are), so the move takes them all
-- with a plain DELETE … RETURNING.
CREATE TABLE feed_events (
    id          BIGSERIAL PRIMARY KEY,
    session_id  UUID NOT NULL,
    kind        TEXT NOT NULL,
    seq         BIGINT NOT NULL DEFAULT 0,
    payload     JSONB,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX feed_events_created ON feed_events (created_at);

CREATE TABLE feed_pending (
    ord         BIGSERIAL PRIMARY KEY,
    session_id  UUID NOT NULL,
    kind        TEXT NOT NULL,
    seq         BIGINT NOT NULL DEFAULT 0,
    payload     JSONB,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE feed_horizon (
    one  INTEGER PRIMARY KEY CHECK (one = 1),
    id   BIGINT NOT NULL
);
INSERT INTO feed_horizon (one, id) VALUES (1, 0);

-- Runs at commit, once per feed_pending row; the first run of a
-- transaction moves all its rows, the others find none (a transaction-
-- local setting spares them the DELETE).
CREATE FUNCTION feed_publish() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('parley.feed_moved', true) = 'yes' THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('parley.feed_moved', 'yes', true);
    PERFORM pg_advisory_xact_lock(hashtext('parley feed_events'), hashtext(coalesce(current_schema(), '')));
    WITH moved AS (DELETE FROM feed_pending RETURNING *)
    INSERT INTO feed_events (session_id, kind, seq, payload, created_at)
        SELECT session_id, kind, seq, payload, created_at FROM moved ORDER BY ord;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER feed_publish AFTER INSERT ON feed_pending
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION feed_publish();

-- One INSERT per statement (the committer stores a batch's appends in one).
CREATE FUNCTION feed_messages() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO feed_pending (session_id, kind, seq)
        SELECT session_id, 'message', seq FROM feed_new ORDER BY session_id, seq;
    RETURN NULL;
END $$;
CREATE TRIGGER feed_messages AFTER INSERT ON message_history
    REFERENCING NEW TABLE AS feed_new FOR EACH STATEMENT EXECUTE FUNCTION feed_messages();

CREATE FUNCTION feed_session() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO feed_pending (session_id, kind, payload) VALUES (NEW.id,
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
