package schema

import (
	"strings"
	"testing"
)

// TestActivityIndexes: after 0015 the only indexes that hold
// last_activity are the support queue's and the partial index of
// visitors' conversations, so a logged-in user's message moves its
// conversation in one index; and the queries that used the dropped
// indexes still search one instead of scanning sessions.
func TestActivityIndexes(t *testing.T) {
	db := openTest(t)
	if db.dialect != sqliteDialect {
		t.Skip("SQLite's catalogue and EXPLAIN QUERY PLAN")
	}
	var holders []string
	err := db.read.Select(&holders, `SELECT DISTINCT m.name FROM sqlite_master m, pragma_index_info(m.name) i
		WHERE m.type = 'index' AND m.tbl_name = 'sessions' AND i.name = 'last_activity' ORDER BY m.name`)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(holders, ","); got != "sessions_support_queue,sessions_visitor_activity" {
		t.Errorf("indexes holding last_activity: %s; want the support queue's and the visitors' only", got)
	}
	for _, tc := range []struct{ query, want string }{
		{`DELETE FROM sessions WHERE anonymous AND last_activity < ?`, "USING INDEX sessions_visitor_activity (last_activity<?)"},
		{`SELECT s.id FROM sessions s WHERE s.user_id = ? AND s.bot_id = ? AND s.status = ? AND s.anonymous = ?
			ORDER BY s.last_activity DESC, s.id DESC LIMIT 1`, "USING INDEX sessions_user_bot_status (user_id=? AND bot_id=? AND status=?)"},
	} {
		args := make([]any, strings.Count(tc.query, "?"))
		for i := range args {
			args[i] = "x"
		}
		if all := queryPlan(t, db, tc.query, args...); !strings.Contains(all, tc.want) {
			t.Errorf("%s\nplan lacks %q:\n%s", tc.query, tc.want, all)
		}
	}
}
