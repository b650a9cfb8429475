package schema

import (
	"context"
	"strings"
	"testing"

	"parley/runtime"
)

// TestMigration0007: a conversation and its messages stored at version 6
// come through 0007 with the defaults: no title, open, no agent, no
// members, messages without a sender's name; and they take the new
// fields afterwards.
func TestMigration0007(t *testing.T) {
	runBackends(t, func(t *testing.T, b testBackend) {
		ctx := context.Background()
		db, err := Open(ctx, b.config(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		migrateTo(t, db, 6)
		sid := oldSession(t, db)
		m := userMessage(sid, "from before")
		oldMessage(t, db, m, 1)
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		s, err := db.FindSession(ctx, sid)
		if err != nil {
			t.Fatal(err)
		}
		if s.Title != "" || s.SupportStatus != runtime.SupportOpen || s.AssignedAgent != "" || s.Members != nil {
			t.Errorf("an old session: title %q, support %q, agent %q, members %q; want none, open, none, nil",
				s.Title, s.SupportStatus, s.AssignedAgent, s.Members)
		}
		got, err := db.FindMessage(ctx, m.ID)
		if err != nil || got.SenderName != "" || got.Content != m.Content {
			t.Fatalf("an old message: %+v, %v", got, err)
		}
		bea := "bea"
		if s, err = db.UpdateSession(ctx, sid, runtime.SessionUpdate{AddMember: &bea}); err != nil || strings.Join(s.Members, ",") != "bea" {
			t.Fatalf("AddMember on an old session: %+v, %v", s, err)
		}
		if list, total, err := db.ListSessions(ctx, runtime.SessionFilter{UserID: "bea"}); err != nil || total != 1 || len(list) != 1 ||
			list[0].LastMessage == nil || list[0].LastMessage.ID != m.ID {
			t.Fatalf("bea's list: %d, %v", total, err)
		}
	})
}

// TestListSessionsPlan: on SQLite, a user's list reads the two indexes of
// its sets (sessions they started, sessions they are a member of) and
// looks the sessions up by id, rather than scanning sessions or the
// index of every non-anonymous one.
func TestListSessionsPlan(t *testing.T) {
	db := openTest(t)
	if db.dialect != sqliteDialect {
		t.Skip("SQLite's EXPLAIN QUERY PLAN")
	}
	for _, f := range []runtime.SessionFilter{{UserID: "u"}, {UserID: "u", BotID: "b", Status: runtime.StatusActive}} {
		where, args := sessionWhere(f)
		all := queryPlan(t, db, `SELECT s.id FROM sessions s`+where+` ORDER BY s.last_activity DESC, s.id DESC LIMIT 10`, args...)
		for _, want := range []string{"SEARCH s USING INDEX sqlite_autoindex_sessions_1 (id=?)",
			"USING INDEX sessions_user_bot_status (user_id=?)", "USING COVERING INDEX session_members_user (user_id=?)"} {
			if !strings.Contains(all, want) {
				t.Errorf("filter %+v: the plan lacks %q:\n%s", f, want, all)
			}
		}
	}
}
