package schema

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"parley/runtime"
)

// TestParksAreNoRows: a turn stores no park in dialog_journal (the
// sessions row says the run is parked), and Journal gives each park back
// where the runtime wrote it: before the HEAR that ended it, and last
// while the run is parked. A write of another run's entries leaves the
// current run parked.
func TestParksAreNoRows(t *testing.T) {
	runBackends(t, func(t *testing.T, b testBackend) {
		db, ctx := b.open(t), context.Background()
		sid := mustSession(t, db)
		commit := func(w *runtime.DialogWrite) {
			t.Helper()
			w.SessionID = sid
			if err := db.CommitDialog(ctx, w); err != nil {
				t.Fatal(err)
			}
		}
		e := func(idx int64, kind, value string) runtime.JournalEntry {
			return runtime.JournalEntry{Run: 1, Index: idx, Kind: kind, Value: value}
		}
		// The script HEARs at its top: the run's first entry is a park.
		commit(&runtime.DialogWrite{Run: &runtime.RunState{Run: 1, Version: "v"}, Entries: []runtime.JournalEntry{e(1, runtime.EntryPark, "")}})
		idx := int64(1)
		for _, text := range []string{"one", "two"} {
			m := userMessage(sid, text)
			if _, err := db.AppendMessage(ctx, m); err != nil {
				t.Fatal(err)
			}
			hear := e(idx+1, runtime.EntryHear, text)
			hear.Seq = m.Seq
			commit(&runtime.DialogWrite{ConsumedSeq: m.Seq,
				Entries:        []runtime.JournalEntry{hear, e(idx+2, runtime.EntryTalk, "h-"+text), e(idx+3, runtime.EntryPark, "")},
				Messages:       []*runtime.Message{{Sender: runtime.SenderBot, Content: text + " to you"}},
				MessageEntries: []int{1}})
			idx += 3
		}
		want := "1:park::0 2:hear:one:1 3:talk:h-one:0 4:park::0 5:hear:two:3 6:talk:h-two:0 7:park::0"
		if got := journalString(t, db, sid); got != want {
			t.Errorf("journal: %s; want %s", got, want)
		}
		var rows []string
		if err := db.read.SelectContext(ctx, &rows, db.write.Rebind(`SELECT kind FROM dialog_journal WHERE session_id = ? ORDER BY idx`), sid); err != nil {
			t.Fatal(err)
		}
		// The HEARs are rows here: their messages were stored before, by
		// AppendMessage (a turn's Input carries its HEAR instead).
		if got := strings.Join(rows, " "); got != "hear hear" {
			t.Errorf("dialog_journal holds %q; want the two HEARs, no park", got)
		}

		// Another run's entries do not say whether run 1 is parked.
		commit(&runtime.DialogWrite{Entries: []runtime.JournalEntry{{Run: 2, Index: 1, Kind: runtime.EntryNow, Value: "x"}}})
		if got := journalString(t, db, sid); got != want {
			t.Errorf("journal after another run's write: %s; want %s", got, want)
		}

		// A turn that ends elsewhere than in HEAR (a WAIT) leaves the run
		// unparked: no park after its last entry.
		m := userMessage(sid, "three")
		if _, err := db.AppendMessage(ctx, m); err != nil {
			t.Fatal(err)
		}
		hear := e(8, runtime.EntryHear, "three")
		hear.Seq = m.Seq
		commit(&runtime.DialogWrite{ConsumedSeq: m.Seq, Entries: []runtime.JournalEntry{hear, e(9, runtime.EntryWait, "2001-02-03T04:05:06Z")}})
		want += fmt.Sprintf(" 8:hear:three:%d 9:wait:2001-02-03T04:05:06Z:0", m.Seq)
		if got := journalString(t, db, sid); got != want {
			t.Errorf("journal after a WAIT: %s; want %s", got, want)
		}
		if pending, err := db.PendingDialogs(ctx); err != nil || len(pending) != 1 {
			t.Errorf("pending: %v, %v; want the run, not parked", pendingIDs(pending), err)
		}
	})
}

// TestParkGaps: the parks Journal puts back, and the journals it leaves
// as they are.
func TestParkGaps(t *testing.T) {
	entries := func(spec string) []runtime.JournalEntry {
		var list []runtime.JournalEntry
		for _, f := range strings.Fields(spec) {
			var idx int64
			var kind string
			fmt.Sscanf(strings.Replace(f, ":", " ", 1), "%d %s", &idx, &kind)
			list = append(list, runtime.JournalEntry{Run: 3, Index: idx, Kind: kind})
		}
		return list
	}
	for _, c := range []struct {
		rows   string
		parked bool
		want   string
	}{
		{"", false, ""},
		{"", true, "1:park"},
		{"1:talk", true, "1:talk 2:park"},
		{"2:hear 3:talk", true, "1:park 2:hear 3:talk 4:park"},
		{"2:hear 3:talk 5:hear 6:talk 7:now", false, "1:park 2:hear 3:talk 4:park 5:hear 6:talk 7:now"},
		// Written before parks were left out: all there already.
		{"1:park 2:hear 3:talk 4:park", true, "1:park 2:hear 3:talk 4:park"},
		{"1:park 2:hear 3:talk 4:park 5:hear 6:talk", true, "1:park 2:hear 3:talk 4:park 5:hear 6:talk 7:park"},
		// Only a HEAR follows a park: other gaps are not parks.
		{"1:now 3:talk", false, "1:now 3:talk"},
		{"1:hear 2:talk", false, "1:hear 2:talk"},
	} {
		var got []string
		for _, e := range parkGaps(3, entries(c.rows), c.parked) {
			if e.Run != 3 {
				t.Errorf("%q: entry %d of run %d", c.rows, e.Index, e.Run)
			}
			got = append(got, fmt.Sprintf("%d:%s", e.Index, e.Kind))
		}
		if s := strings.Join(got, " "); s != c.want {
			t.Errorf("parkGaps(%q, parked %v) = %q; want %q", c.rows, c.parked, s, c.want)
		}
	}
}
