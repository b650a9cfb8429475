package runtimetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"parley/runtime"
)

// testSupportStats: the stats count the conversations that entered the
// queue at or after since (anonymous ones too), by support status and
// assigned agent, and return the times of the most recent sample of
// them, newest first, exactly as stored.
func testSupportStats(t *testing.T, st runtime.Store) {
	ctx := context.Background()
	at := func(d time.Duration) *time.Time { v := t0.Add(d); return &v }
	str := func(v string) *string { return &v }
	// desk makes a conversation that entered the queue at waiting (nil:
	// never) and then had the given times, status and agent.
	desk := func(waiting, reply, resolved *time.Time, status, agent string, anonymous bool) *runtime.Session {
		t.Helper()
		s := newSession("u", "support", t0)
		s.Anonymous = anonymous
		mustCreate(t, st, s)
		upd := runtime.SessionUpdate{WaitingSince: waiting, FirstReplyAt: reply, ResolvedAt: resolved,
			SupportStatus: str(status), AssignedAgent: str(agent)}
		got, err := st.UpdateSession(ctx, s.ID, upd)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	h := time.Hour
	a := desk(at(h), at(h+30*time.Second), at(h+10*time.Minute), runtime.SupportResolved, "ag", false)
	b := desk(at(2*h), at(2*h+90*time.Second+1500*time.Nanosecond), nil, runtime.SupportOpen, "ag", false)
	c := desk(at(3*h), nil, nil, runtime.SupportWaiting, "", true)
	d := desk(at(4*h), nil, at(5*h), runtime.SupportClosed, "ag2", false)
	desk(at(h-time.Microsecond), at(h), nil, runtime.SupportOpen, "ag", false) // before since
	desk(nil, nil, nil, runtime.SupportOpen, "ag", false)                      // never in the queue

	tally, err := st.SupportStats(ctx, t0.Add(h), 3)
	if err != nil {
		t.Fatal(err)
	}
	var groups []string
	for _, g := range tally.Groups {
		groups = append(groups, fmt.Sprintf("%s/%s=%d", g.SupportStatus, g.AssignedAgent, g.Count))
	}
	slices.Sort(groups)
	if got, want := strings.Join(groups, " "), "closed/ag2=1 open/ag=1 resolved/ag=1 waiting/=1"; got != want {
		t.Errorf("groups %s; want %s", got, want)
	}
	want := []runtime.SupportTimes{
		{SupportStatus: runtime.SupportClosed, WaitingSince: d.WaitingSince, ResolvedAt: d.ResolvedAt},
		{SupportStatus: runtime.SupportWaiting, WaitingSince: c.WaitingSince},
		{SupportStatus: runtime.SupportOpen, WaitingSince: b.WaitingSince, FirstReplyAt: b.FirstReplyAt},
	}
	if !slices.EqualFunc(tally.Times, want, sameTimes) {
		t.Errorf("times %+v;\nwant %+v", tally.Times, want)
	}
	if got := b.FirstReplyAt.Sub(b.WaitingSince); got != 90*time.Second+time.Microsecond {
		t.Errorf("b's first reply after %v; want 1m30.000001s (microseconds kept)", got)
	}
	if all, err := st.SupportStats(ctx, t0.Add(h), 10); err != nil || len(all.Times) != 4 || !sameTimes(all.Times[3],
		runtime.SupportTimes{SupportStatus: runtime.SupportResolved, WaitingSince: a.WaitingSince, FirstReplyAt: a.FirstReplyAt, ResolvedAt: a.ResolvedAt}) {
		t.Errorf("a sample larger than the window: %+v, %v", all, err)
	}
	if none, err := st.SupportStats(ctx, t0.Add(6*h), 10); err != nil || len(none.Groups) != 0 || len(none.Times) != 0 {
		t.Errorf("an empty window: %+v, %v", none, err)
	}
}

func sameTimes(a, b runtime.SupportTimes) bool {
	return a.SupportStatus == b.SupportStatus && a.WaitingSince.Equal(b.WaitingSince) &&
		a.FirstReplyAt.Equal(b.FirstReplyAt) && a.ResolvedAt.Equal(b.ResolvedAt)
}
