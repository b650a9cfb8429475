package schema

import (
	"context"
	"fmt"
	"testing"

	"parley/runtime"
)

// TestMigration0013: runs in progress at version 12 keep their journal
// rows, which Journal gives back; a run parked in HEAR stays parked (not
// pending) and one that was not stays pending. A turn after the
// migration goes on from the old entries, its HEAR and TALK carried by
// the two message rows (dialog_journal gains its PARK alone), and
// Journal reads old and new entries in order.
func TestMigration0013(t *testing.T) {
	runBackends(t, func(t *testing.T, b testBackend) {
		ctx := context.Background()
		db, err := Open(ctx, b.config(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		migrateTo(t, db, 12)
		parked, busy := oldSession(t, db), oldSession(t, db)
		for _, sid := range []runtime.SessionID{parked, busy} {
			hi := userMessage(sid, "hi")
			oldMessage(t, db, hi, 1)
			answer := &runtime.Message{SessionID: sid, Sender: runtime.SenderBot, Content: "hello"}
			oldMessage(t, db, answer, 2)
			kinds := []string{runtime.EntryHear, runtime.EntryTalk, runtime.EntryPark}
			if sid == busy {
				kinds = kinds[:2] // it said hello, then the node died before HEAR parked
			}
			for i, kind := range kinds {
				e := runtime.JournalEntry{Run: 1, Index: int64(i + 1), Kind: kind}
				switch kind {
				case runtime.EntryHear:
					e.Value, e.Seq = "hi", 1
				case runtime.EntryTalk:
					e.Value = "h-hello"
				}
				q := db.write.Rebind(`INSERT INTO dialog_journal (session_id, run, idx, kind, value, found, seq) VALUES (?, ?, ?, ?, ?, ?, ?)`)
				if _, err := db.write.ExecContext(ctx, q, sid, e.Run, e.Index, e.Kind, e.Value, e.Found, e.Seq); err != nil {
					t.Fatal(err)
				}
			}
			q := db.write.Rebind(`UPDATE sessions SET run = 1, run_ended = ?, script_version = 'v', consumed_seq = 1, last_user_seq = 1 WHERE id = ?`)
			if _, err := db.write.ExecContext(ctx, q, false, sid); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		pending, err := db.PendingDialogs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(pendingIDs(pending)); got != fmt.Sprint([]runtime.SessionID{busy}) {
			t.Errorf("pending after the migration: %v; want the busy run alone (%s), not the parked one (%s)", got, busy, parked)
		}
		if got := journalString(t, db, parked); got != "1:hear:hi:1 2:talk:h-hello:0 3:park::0" {
			t.Errorf("journal after the migration: %s", got)
		}

		// The parked run takes a turn.
		in := userMessage(parked, "again")
		w := &runtime.DialogWrite{SessionID: parked, Input: in, InputEntry: 0,
			Entries: []runtime.JournalEntry{
				{Run: 1, Index: 4, Kind: runtime.EntryHear, Value: "again"},
				{Run: 1, Index: 5, Kind: runtime.EntryTalk, Value: "h-again"},
				{Run: 1, Index: 6, Kind: runtime.EntryPark}},
			Messages:       []*runtime.Message{{Sender: runtime.SenderBot, Content: "again to you"}},
			MessageEntries: []int{1}}
		if err := db.CommitDialog(ctx, w); err != nil {
			t.Fatal(err)
		}
		if got := journalString(t, db, parked); got != "1:hear:hi:1 2:talk:h-hello:0 3:park::0 4:hear:again:3 5:talk:h-again:0 6:park::0" {
			t.Errorf("journal after a turn: %s", got)
		}
		// The input's row carries its HEAR and the reply its TALK; the
		// new park is no row: the sessions row says the run is parked.
		var rows int
		if err := db.read.GetContext(ctx, &rows, db.write.Rebind(`SELECT count(*) FROM dialog_journal WHERE session_id = ?`), parked); err != nil || rows != 3 {
			t.Errorf("dialog_journal holds %d rows of the parked run (%v); want the old three", rows, err)
		}
		if pending, err := db.PendingDialogs(ctx); err != nil || len(pending) != 1 {
			t.Errorf("pending after the turn: %v, %v; want the busy run alone", pendingIDs(pending), err)
		}
	})
}

func pendingIDs(list []runtime.PendingDialog) []runtime.SessionID {
	var ids []runtime.SessionID
	for _, p := range list {
		ids = append(ids, p.SessionID)
	}
	return ids
}

// journalString is the journal of sid's run 1 as "idx:kind:value:seq".
func journalString(t *testing.T, db *DB, sid runtime.SessionID) string {
	t.Helper()
	j, err := db.Journal(context.Background(), sid, 1)
	if err != nil {
		t.Fatal(err)
	}
	s := ""
	for i, e := range j {
		if i > 0 {
			s += " "
		}
		s += fmt.Sprintf("%d:%s:%s:%d", e.Index, e.Kind, e.Value, e.Seq)
	}
	return s
}
