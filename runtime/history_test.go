package runtime_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"parley/runtime"
)

// History pages oldest first: the newest page without After, the oldest
// after it with After; has_more looks in the direction of paging.
func TestHistoryPaging(t *testing.T) {
	t.Parallel()
	clk := newClock()
	h := newHub(t, silent, runtime.Config{Now: clk.Now})
	sid := h.join(t, alice, runtime.JoinRequest{}).Session.ID
	var msgs []*runtime.Message
	for i := 1; i <= 10; i++ {
		clk.Add(time.Second)
		msgs = append(msgs, h.send(t, alice, sid, fmt.Sprint("m", i)))
	}
	other := h.send(t, alice, h.join(t, alice, runtime.JoinRequest{BotID: "other"}).Session.ID, "elsewhere")
	at := func(i int) time.Time { return msgs[i-1].CreatedAt }
	cases := []struct {
		name     string
		q        runtime.HistoryQuery
		from, to int64
		more     bool
	}{
		{"all", runtime.HistoryQuery{Limit: 50}, 1, 10, false},
		{"exactly all", runtime.HistoryQuery{Limit: 10}, 1, 10, false},
		{"newest", runtime.HistoryQuery{Limit: 3}, 8, 10, true},
		{"before id", runtime.HistoryQuery{Limit: 3, BeforeID: msgs[7].ID}, 5, 7, true},
		{"before id, to the start", runtime.HistoryQuery{Limit: 3, BeforeID: msgs[3].ID}, 1, 3, false},
		{"after id", runtime.HistoryQuery{Limit: 3, AfterID: msgs[1].ID}, 3, 5, true},
		{"after id, to the end", runtime.HistoryQuery{Limit: 3, AfterID: msgs[6].ID}, 8, 10, false},
		{"between ids", runtime.HistoryQuery{Limit: 50, AfterID: msgs[1].ID, BeforeID: msgs[5].ID}, 3, 5, false},
		{"after time", runtime.HistoryQuery{Limit: 2, AfterTime: at(4)}, 5, 6, true},
		{"before time", runtime.HistoryQuery{Limit: 2, BeforeTime: at(4)}, 2, 3, true},
	}
	for _, tc := range cases {
		got, more, err := h.History(context.Background(), alice, sid, tc.q)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var seqs []int64
		for _, m := range got {
			seqs = append(seqs, m.Seq)
		}
		if len(got) != int(tc.to-tc.from+1) || got[0].Seq != tc.from || got[len(got)-1].Seq != tc.to || more != tc.more {
			t.Fatalf("%s: seqs %v, has_more %v; want %d..%d, %v", tc.name, seqs, more, tc.from, tc.to, tc.more)
		}
	}
	_, _, err := h.History(context.Background(), alice, sid, runtime.HistoryQuery{Limit: 5, BeforeID: other.ID})
	expectKind(t, err, runtime.KindInvalid)
	_, _, err = h.History(context.Background(), alice, sid, runtime.HistoryQuery{Limit: 5, AfterID: "no-such-message"})
	expectKind(t, err, runtime.KindInvalid)
}

// History, Conversations, SetStatus and MarkRead check the caller.
func TestConversationAccess(t *testing.T) {
	t.Parallel()
	h := newHub(t, silent, runtime.Config{})
	ctx := context.Background()
	sid := h.join(t, alice, runtime.JoinRequest{}).Session.ID
	anonSID := h.join(t, anon, runtime.JoinRequest{}).Session.ID

	_, _, err := h.History(ctx, bob, sid, runtime.HistoryQuery{Limit: 5})
	expectKind(t, err, runtime.KindForbidden)
	_, _, err = h.History(ctx, anon, anonSID, runtime.HistoryQuery{Limit: 5})
	expectKind(t, err, runtime.KindForbidden)
	if _, _, err := h.History(ctx, admin, sid, runtime.HistoryQuery{Limit: 5}); err != nil {
		t.Fatalf("admin history: %v", err)
	}
	_, _, err = h.History(ctx, alice, "no-such-session", runtime.HistoryQuery{Limit: 5})
	expectKind(t, err, runtime.KindNotFound)
	_, _, err = h.Conversations(ctx, anon, runtime.ConversationFilter{Limit: 5})
	expectKind(t, err, runtime.KindUnauthorized)
	_, err = h.StartConversation(ctx, anon, "echo", "")
	expectKind(t, err, runtime.KindUnauthorized)

	_, err = h.SetStatus(ctx, bob, sid, runtime.StatusArchived)
	expectKind(t, err, runtime.KindForbidden)
	_, err = h.SetStatus(ctx, alice, sid, "deleted")
	expectKind(t, err, runtime.KindInvalid)
	_, err = h.MarkRead(ctx, bob, sid, 1)
	expectKind(t, err, runtime.KindForbidden)
	_, err = h.MarkRead(ctx, alice, sid, -1)
	expectKind(t, err, runtime.KindInvalid)

	for range 3 {
		if _, _, err := h.Send(ctx, alice, runtime.SendRequest{SessionID: sid, Content: "hi"}); err != nil {
			t.Fatal(err)
		}
	}
	// A read mark never goes past the last message.
	if mark, err := h.MarkRead(ctx, alice, sid, 5); err != nil || mark != 3 {
		t.Fatalf("MarkRead(5) of 3 messages = %d, %v", mark, err)
	}
	s, err := h.SetStatus(ctx, admin, sid, runtime.StatusArchived)
	if err != nil || s.Status != runtime.StatusArchived || s.ReadSeq != 3 {
		t.Fatalf("SetStatus by admin = %+v, %v", s, err)
	}
	rows, total, err := h.Conversations(ctx, alice, runtime.ConversationFilter{Status: runtime.StatusArchived, Limit: 5})
	if err != nil || total != 1 || len(rows) != 1 || rows[0].ID != sid || rows[0].BotName != "Echo" {
		t.Fatalf("Conversations = %+v (total %d), %v", rows, total, err)
	}
}
