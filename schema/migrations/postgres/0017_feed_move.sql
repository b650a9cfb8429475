-- 0017_feed_move: a commit moves its feed events without reading anyone
-- else's dead rows, for PostgreSQL.
--
-- feed_publish (0011_feed.sql) took a transaction's rows with a plain
-- DELETE FROM feed_pending: a scan of the whole table. The table is empty
-- between commits, but every move leaves its rows dead until a vacuum
-- removes them, and under load that is hundreds of pages within seconds:
-- each commit then read them all while holding the feed's lock (0.5 to
-- 0.9 ms a commit after 12 s of turns without a vacuum, and growing; see
-- docs/benchmarks.md).
--
-- A transaction's rows are the ords from its first, the row this run of
-- the trigger fires for (deferred triggers fire in the order their rows
-- were inserted, and the sequence only grows), to the last it took
-- (currval): one range of the primary key. Rows of other transactions in
-- that range are not visible, as before.
CREATE OR REPLACE FUNCTION feed_publish() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('parley.feed_moved', true) = 'yes' THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('parley.feed_moved', 'yes', true);
    PERFORM pg_advisory_xact_lock(hashtext('parley feed_events'), hashtext(coalesce(current_schema(), '')));
    WITH moved AS (
        DELETE FROM feed_pending
        WHERE ord BETWEEN NEW.ord AND currval(pg_get_serial_sequence('feed_pending', 'ord'))
        RETURNING *
    )
    INSERT INTO feed_events (session_id, kind, seq, payload, created_at)
        SELECT session_id, kind, seq, payload, created_at FROM moved ORDER BY ord;
    RETURN NULL;
END $$;
