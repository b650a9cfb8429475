package schema

import (
	"strings"
	"testing"

	"parley/runtime"
)

// TestListSupportPlan: on SQLite, a page of the support queue walks
// sessions_support_queue in order, with no sort.
func TestListSupportPlan(t *testing.T) {
	db := openTest(t)
	if db.dialect != sqliteDialect {
		t.Skip("SQLite's EXPLAIN QUERY PLAN")
	}
	for _, f := range []runtime.SupportFilter{{SupportStatus: "waiting"}, {SupportStatus: "waiting", Agent: "ag"}, {SupportStatus: "open", Unassigned: true}} {
		where, args := supportWhere(f)
		all := queryPlan(t, db, `SELECT s.id FROM sessions s`+where+` ORDER BY s.last_activity, s.id LIMIT 10`, args...)
		if !strings.Contains(all, "USING INDEX sessions_support_queue (support_status=?)") || strings.Contains(all, "TEMP B-TREE") {
			t.Errorf("filter %+v: the plan does not walk sessions_support_queue in order:\n%s", f, all)
		}
	}
}

// queryPlan is SQLite's EXPLAIN QUERY PLAN of query, one detail a line.
func queryPlan(t *testing.T, db *DB, query string, args ...any) string {
	t.Helper()
	rows, err := db.read.Queryx(`EXPLAIN QUERY PLAN `+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	return strings.Join(plan, "\n")
}
