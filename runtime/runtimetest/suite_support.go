package runtimetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"parley/runtime"
)

// testListSupport: the support queue lists the conversations of one
// support status, least recent activity first and ties by id, filtered
// by assigned agent (or none), in pages with the total; anonymous
// conversations never appear; each row has its newest message.
func testListSupport(t *testing.T, st runtime.Store) {
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	queued := func(user string, min int, status, agent string) *runtime.Session {
		s := newSession(user, "support", at(min))
		s.SupportStatus, s.AssignedAgent = status, agent
		return mustCreate(t, st, s)
	}
	w3 := queued("u1", 3, runtime.SupportWaiting, "")
	w1 := queued("u2", 1, runtime.SupportWaiting, "ag")
	w2a := queued("u3", 2, runtime.SupportWaiting, "")
	w2b := queued("u4", 2, runtime.SupportWaiting, "ag2")
	r1 := queued("u1", 1, runtime.SupportResolved, "ag")
	queued("u5", 0, runtime.SupportOpen, "")
	anon := newSession("anon:x", "support", at(0))
	anon.Anonymous, anon.SupportStatus = true, runtime.SupportWaiting
	mustCreate(t, st, anon)
	mustAppend(t, st, r1.ID, "hello") // moves r1's activity to now
	last := mustMessages(t, st, runtime.MessageFilter{SessionID: r1.ID})[0]

	tied := []runtime.SessionID{w2a.ID, w2b.ID} // same activity: by id
	slices.Sort(tied)
	waiting := append(append([]runtime.SessionID{w1.ID}, tied...), w3.ID)
	for _, tc := range []struct {
		f     runtime.SupportFilter
		want  []runtime.SessionID
		total int
	}{
		{runtime.SupportFilter{SupportStatus: runtime.SupportWaiting}, waiting, 4},
		{runtime.SupportFilter{SupportStatus: runtime.SupportWaiting, Limit: 2}, waiting[:2], 4},
		{runtime.SupportFilter{SupportStatus: runtime.SupportWaiting, Limit: 2, Offset: 2}, waiting[2:], 4},
		{runtime.SupportFilter{SupportStatus: runtime.SupportWaiting, Offset: 9}, nil, 4},
		{runtime.SupportFilter{SupportStatus: runtime.SupportWaiting, Agent: "ag"}, []runtime.SessionID{w1.ID}, 1},
		{runtime.SupportFilter{SupportStatus: runtime.SupportWaiting, Unassigned: true}, []runtime.SessionID{w2a.ID, w3.ID}, 2},
		{runtime.SupportFilter{SupportStatus: runtime.SupportResolved}, []runtime.SessionID{r1.ID}, 1},
		{runtime.SupportFilter{SupportStatus: runtime.SupportClosed}, nil, 0},
	} {
		list, total, err := st.ListSupport(context.Background(), tc.f)
		if err != nil {
			t.Fatalf("ListSupport(%+v): %v", tc.f, err)
		}
		var got []runtime.SessionID
		for _, s := range list {
			got = append(got, s.ID)
		}
		if !slices.Equal(got, tc.want) || total != tc.total {
			t.Errorf("ListSupport(%+v) = %v, total %d; want %v, total %d", tc.f, got, total, tc.want, tc.total)
		}
	}
	list, _, err := st.ListSupport(context.Background(), runtime.SupportFilter{SupportStatus: runtime.SupportResolved})
	if err != nil || len(list) != 1 || list[0].LastMessage == nil || list[0].LastMessage.ID != last.ID ||
		list[0].AssignedAgent != "ag" || list[0].UserID != "u1" {
		t.Fatalf("the resolved row: %+v, %v; want r1 with its message", list, err)
	}
}
