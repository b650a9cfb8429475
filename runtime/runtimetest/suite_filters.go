package runtimetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"parley/runtime"
)

// filterFixture stores ten messages in one session, interleaved with three
// in another, and checks that their times are distinct.
func filterFixture(t *testing.T, st runtime.Store) (runtime.SessionID, []*runtime.Message) {
	t.Helper()
	s := mustCreate(t, st, newSession("u1", "support", t0))
	noise := mustCreate(t, st, newSession("u2", "support", t0))
	var msgs []*runtime.Message
	for i := range 10 {
		msgs = append(msgs, mustAppend(t, st, s.ID, fmt.Sprint("m", i+1)))
		if i%3 == 0 {
			mustAppend(t, st, noise.ID, "noise")
		}
	}
	for i := 1; i < len(msgs); i++ {
		if !msgs[i].CreatedAt.After(msgs[i-1].CreatedAt) {
			t.Fatalf("the store's clock gave seq %d and %d the same time %v; StoreSuite needs a clock that advances",
				msgs[i-1].Seq, msgs[i].Seq, msgs[i].CreatedAt)
		}
	}
	return s.ID, msgs
}

func testFindMessages(t *testing.T, st runtime.Store) {
	id, msgs := filterFixture(t, st)
	at := func(seq int) time.Time { return msgs[seq-1].CreatedAt }
	for _, tc := range []struct {
		f    runtime.MessageFilter
		want []int64
	}{
		{runtime.MessageFilter{}, seqRange(1, 10)},
		{runtime.MessageFilter{AfterSeq: 7}, seqRange(8, 10)},
		{runtime.MessageFilter{BeforeSeq: 4}, seqRange(1, 3)},
		{runtime.MessageFilter{AfterSeq: 2, BeforeSeq: 6}, seqRange(3, 5)},
		{runtime.MessageFilter{Limit: 3}, seqRange(1, 3)},
		{runtime.MessageFilter{Limit: 3, Newest: true}, seqRange(8, 10)},
		{runtime.MessageFilter{Newest: true}, seqRange(1, 10)},
		{runtime.MessageFilter{Limit: 20, Newest: true}, seqRange(1, 10)},
		{runtime.MessageFilter{AfterSeq: 2, Limit: 3}, seqRange(3, 5)},
		{runtime.MessageFilter{BeforeSeq: 6, Limit: 2, Newest: true}, seqRange(4, 5)},
		{runtime.MessageFilter{AfterTime: at(7)}, seqRange(8, 10)},
		{runtime.MessageFilter{BeforeTime: at(3)}, seqRange(1, 2)},
		{runtime.MessageFilter{AfterTime: at(3), BeforeTime: at(8)}, seqRange(4, 7)},
		{runtime.MessageFilter{AfterTime: at(3), BeforeTime: at(8), Limit: 2, Newest: true}, seqRange(6, 7)},
		{runtime.MessageFilter{AfterSeq: 5, BeforeTime: at(3)}, seqRange(1, 0)},
		{runtime.MessageFilter{AfterSeq: 10}, seqRange(1, 0)},
	} {
		tc.f.SessionID = id
		if got := seqs(mustMessages(t, st, tc.f)); !slices.Equal(got, tc.want) {
			t.Errorf("FindMessages(%s) = %v; want %v", describe(tc.f, msgs), got, tc.want)
		}
	}
	if got := mustMessages(t, st, runtime.MessageFilter{SessionID: runtime.SessionID(newID())}); len(got) != 0 {
		t.Errorf("FindMessages(unknown session) = %v; want none", seqs(got))
	}
}

// testFindMessagesGrid tries every combination of the filters against a
// reference, written here independently of any store.
func testFindMessagesGrid(t *testing.T, st runtime.Store) {
	id, msgs := filterFixture(t, st)
	for _, afterSeq := range []int64{0, 2} {
		for _, beforeSeq := range []int64{0, 9} {
			for _, afterTime := range []time.Time{{}, msgs[3].CreatedAt} {
				for _, beforeTime := range []time.Time{{}, msgs[7].CreatedAt} {
					for _, limit := range []int{0, 2, 3} {
						for _, newest := range []bool{false, true} {
							f := runtime.MessageFilter{SessionID: id, AfterSeq: afterSeq, BeforeSeq: beforeSeq,
								AfterTime: afterTime, BeforeTime: beforeTime, Limit: limit, Newest: newest}
							checkFilter(t, st, f, msgs)
						}
					}
				}
			}
		}
	}
}

func checkFilter(t *testing.T, st runtime.Store, f runtime.MessageFilter, all []*runtime.Message) {
	t.Helper()
	var want []int64
	for _, m := range all {
		if (f.AfterSeq == 0 || m.Seq > f.AfterSeq) && (f.BeforeSeq == 0 || m.Seq < f.BeforeSeq) &&
			(f.AfterTime.IsZero() || m.CreatedAt.After(f.AfterTime)) &&
			(f.BeforeTime.IsZero() || m.CreatedAt.Before(f.BeforeTime)) {
			want = append(want, m.Seq)
		}
	}
	if f.Limit > 0 && len(want) > f.Limit {
		if f.Newest {
			want = want[len(want)-f.Limit:]
		} else {
			want = want[:f.Limit]
		}
	}
	if got := seqs(mustMessages(t, st, f)); !slices.Equal(got, append([]int64{}, want...)) {
		t.Errorf("FindMessages(%s) = %v; want %v", describe(f, all), got, want)
	}
}

// describe prints a filter with times as the seq whose time they are.
func describe(f runtime.MessageFilter, msgs []*runtime.Message) string {
	seqAt := func(tm time.Time) string {
		for _, m := range msgs {
			if m.CreatedAt.Equal(tm) {
				return fmt.Sprint("time of seq ", m.Seq)
			}
		}
		return fmt.Sprint(tm)
	}
	s := fmt.Sprintf("AfterSeq %d BeforeSeq %d Limit %d Newest %v", f.AfterSeq, f.BeforeSeq, f.Limit, f.Newest)
	if !f.AfterTime.IsZero() {
		s += ", AfterTime " + seqAt(f.AfterTime)
	}
	if !f.BeforeTime.IsZero() {
		s += ", BeforeTime " + seqAt(f.BeforeTime)
	}
	return s
}
