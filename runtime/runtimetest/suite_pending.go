package runtimetest

import (
	"context"
	"testing"
	"time"

	"parley/runtime"
)

// pendingCase is one conversation of testPendingDialogs: set-up brings it
// into a state, and it must (or must not) be listed, with its WakeAt.
type pendingCase struct {
	name    string
	setup   func(t *testing.T, st runtime.Store, id runtime.SessionID)
	pending bool
	wake    time.Time
}

var wakeAt = t0.Add(48 * time.Hour)

// commit is a CommitDialog of the given entries, each the next of run.
func commit(t *testing.T, st runtime.Store, id runtime.SessionID, w runtime.DialogWrite, run, from int64, kinds ...string) {
	t.Helper()
	w.SessionID = id
	for i, k := range kinds {
		w.Entries = append(w.Entries, entry(run, from+int64(i), k))
	}
	mustCommit(t, st, &w)
}

// parked is a run-1 conversation waiting in HEAR for its next message.
func parked(t *testing.T, st runtime.Store, id runtime.SessionID) {
	commit(t, st, id, runtime.DialogWrite{Run: startRun(1, "v1")}, 1, 1, runtime.EntryTalk, runtime.EntryPark)
}

var pendingCases = []pendingCase{
	{"never started", func(*testing.T, runtime.Store, runtime.SessionID) {}, false, time.Time{}},
	{"started, nothing written", func(t *testing.T, st runtime.Store, id runtime.SessionID) {
		mustCommit(t, st, &runtime.DialogWrite{SessionID: id, Run: startRun(1, "v1")})
	}, true, time.Time{}},
	{"parked", parked, false, time.Time{}},
	{"mid-turn", func(t *testing.T, st runtime.Store, id runtime.SessionID) {
		parked(t, st, id)
		commit(t, st, id, runtime.DialogWrite{}, 1, 3, runtime.EntryHear, runtime.EntryTalk)
	}, true, time.Time{}},
	{"ended", func(t *testing.T, st runtime.Store, id runtime.SessionID) {
		commit(t, st, id, runtime.DialogWrite{Run: startRun(1, "v1")}, 1, 1, runtime.EntryTalk)
		mustCommit(t, st, &runtime.DialogWrite{SessionID: id, Run: endRun(1)})
	}, false, time.Time{}},
	{"user message, never started", func(t *testing.T, st runtime.Store, id runtime.SessionID) {
		mustAppend(t, st, id, "hi")
	}, true, time.Time{}},
	{"user message after the run ended", func(t *testing.T, st runtime.Store, id runtime.SessionID) {
		commit(t, st, id, runtime.DialogWrite{Run: startRun(1, "v1")}, 1, 1, runtime.EntryTalk)
		mustCommit(t, st, &runtime.DialogWrite{SessionID: id, Run: endRun(1)})
		mustAppend(t, st, id, "again")
	}, true, time.Time{}},
	{"user message taken, parked again", func(t *testing.T, st runtime.Store, id runtime.SessionID) {
		parked(t, st, id)
		m := mustAppend(t, st, id, "Ann")
		commit(t, st, id, runtime.DialogWrite{ConsumedSeq: m.Seq}, 1, 3, runtime.EntryHear, runtime.EntryPark)
	}, false, time.Time{}},
	// A pending WAIT: the deadline is set and the run is not parked.
	{"waiting", func(t *testing.T, st runtime.Store, id runtime.SessionID) {
		commit(t, st, id, runtime.DialogWrite{Run: startRun(1, "v1"), WakeAt: &wakeAt}, 1, 1, runtime.EntryTalk, runtime.EntryWait)
	}, true, wakeAt},
	{"user message while waiting", func(t *testing.T, st runtime.Store, id runtime.SessionID) {
		commit(t, st, id, runtime.DialogWrite{Run: startRun(1, "v1"), WakeAt: &wakeAt}, 1, 1, runtime.EntryWait)
		mustAppend(t, st, id, "hello?")
	}, true, wakeAt},
	{"wait over, parked", func(t *testing.T, st runtime.Store, id runtime.SessionID) {
		commit(t, st, id, runtime.DialogWrite{Run: startRun(1, "v1"), WakeAt: &wakeAt}, 1, 1, runtime.EntryWait)
		var zero time.Time
		commit(t, st, id, runtime.DialogWrite{WakeAt: &zero}, 1, 2, runtime.EntryTalk, runtime.EntryPark)
	}, false, time.Time{}},
	{"parked with a deadline", func(t *testing.T, st runtime.Store, id runtime.SessionID) {
		commit(t, st, id, runtime.DialogWrite{Run: startRun(1, "v1"), WakeAt: &wakeAt}, 1, 1, runtime.EntryPark)
	}, true, wakeAt},
	// Only the current run's journal counts.
	{"new run, nothing written", func(t *testing.T, st runtime.Store, id runtime.SessionID) {
		parked(t, st, id)
		mustCommit(t, st, &runtime.DialogWrite{SessionID: id, Run: startRun(2, "v2")})
	}, true, time.Time{}},
	{"new run parked, old one mid-turn", func(t *testing.T, st runtime.Store, id runtime.SessionID) {
		commit(t, st, id, runtime.DialogWrite{Run: startRun(1, "v1")}, 1, 1, runtime.EntryTalk)
		commit(t, st, id, runtime.DialogWrite{Run: startRun(2, "v2")}, 2, 1, runtime.EntryPark)
	}, false, time.Time{}},
}

func testPendingDialogs(t *testing.T, st runtime.Store) {
	want := map[runtime.SessionID]pendingCase{}
	names := map[runtime.SessionID]string{}
	for _, c := range pendingCases {
		id := mustCreate(t, st, newSession("u1", "support", t0)).ID
		c.setup(t, st, id)
		names[id] = c.name
		if c.pending {
			want[id] = c
		}
	}
	list, err := st.PendingDialogs(context.Background())
	if err != nil {
		t.Fatalf("PendingDialogs: %v", err)
	}
	seen := map[runtime.SessionID]bool{}
	for _, p := range list {
		c, ok := want[p.SessionID]
		switch {
		case seen[p.SessionID]:
			t.Errorf("%q listed twice", names[p.SessionID])
		case !ok:
			t.Errorf("%q is listed; it has nothing to do", names[p.SessionID])
		default:
			checkTime(t, c.name+": WakeAt", p.WakeAt, c.wake)
		}
		seen[p.SessionID] = true
	}
	for id, c := range want {
		if !seen[id] {
			t.Errorf("%q is not listed; it has work to do", c.name)
		}
	}
}
