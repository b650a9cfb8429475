-- 0009_support_queue: the support queue (runtime.SessionStore.ListSupport,
-- GET /api/support/conversations) reads the conversations of one support
-- status, oldest activity first, ties by id. This index serves the filter
-- and the order, so a page of the queue walks the index from its start
-- instead of scanning and sorting every conversation. A filter by
-- assigned agent is checked on the rows the walk reaches.
CREATE INDEX sessions_support_queue ON sessions (support_status, last_activity, id);
