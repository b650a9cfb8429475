package runtimetest

import (
	"context"
	"testing"
	"time"

	"parley/runtime"
)

// testTransfer: the handover's fields. Starting one empties the outcome;
// the first ending wins (a resolve after a timeout changes nothing);
// IfSupportStatus makes an update conditional; the first reply is the
// first; a zero time clears a time.
func testTransfer(t *testing.T, st runtime.Store) {
	ctx := context.Background()
	s := mustCreate(t, st, newSession("owner", "support", t0))
	update := func(upd runtime.SessionUpdate) *runtime.Session {
		t.Helper()
		got, err := st.UpdateSession(ctx, s.ID, upd)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	str := func(v string) *string { return &v }
	at := func(d time.Duration) *time.Time { v := t0.Add(d); return &v }

	got := update(runtime.SessionUpdate{Transfer: str("1.4"), TransferReason: str("billing"),
		SupportStatus: str(runtime.SupportWaiting), WaitingSince: at(time.Minute)})
	if got.Transfer != "1.4" || got.TransferOutcome != "" || got.TransferReason != "billing" || !got.WaitingSince.Equal(t0.Add(time.Minute)) {
		t.Fatalf("started: %+v", got)
	}
	// A user message stored during a handover is for the people: taken at
	// once (ConsumedSeq); an agent's does not move it.
	appendFrom := func(sender runtime.Sender) *runtime.Session {
		t.Helper()
		if _, err := st.AppendMessage(ctx, &runtime.Message{SessionID: s.ID, Sender: sender, Content: "x"}); err != nil {
			t.Fatal(err)
		}
		return mustFind(t, st, s.ID)
	}
	if got := appendFrom(runtime.SenderUser); got.ConsumedSeq != 1 || got.LastUserSeq != 1 {
		t.Fatalf("a user message during a handover: consumed %d, last user %d; want 1, 1", got.ConsumedSeq, got.LastUserSeq)
	}
	if got := appendFrom(runtime.SenderAgent); got.ConsumedSeq != 1 {
		t.Fatalf("an agent message moved ConsumedSeq to %d", got.ConsumedSeq)
	}
	// Not waiting: the conditional update changes nothing, not even the
	// fields it would set with it.
	got = update(runtime.SessionUpdate{EndTransfer: str(runtime.TransferTimeout), SupportStatus: str(runtime.SupportOpen),
		IfSupportStatus: str(runtime.SupportOpen)})
	if got.TransferOutcome != "" || got.SupportStatus != runtime.SupportWaiting {
		t.Fatalf("a conditional update whose condition fails changed %+v", got)
	}
	got = update(runtime.SessionUpdate{EndTransfer: str(runtime.TransferTimeout), SupportStatus: str(runtime.SupportOpen),
		IfSupportStatus: str(runtime.SupportWaiting)})
	if got.TransferOutcome != runtime.TransferTimeout || got.SupportStatus != runtime.SupportOpen {
		t.Fatalf("timed out: %+v", got)
	}
	got = update(runtime.SessionUpdate{EndTransfer: str(runtime.TransferResolved), SupportNote: str("late"), ResolvedBy: str("Ann")})
	if got.TransferOutcome != runtime.TransferTimeout || got.SupportNote != "late" || got.ResolvedBy != "Ann" {
		t.Fatalf("a resolve after the timeout: %+v; want the timeout kept", got)
	}
	if got := appendFrom(runtime.SenderUser); got.ConsumedSeq != 1 || got.LastUserSeq != 3 {
		t.Fatalf("a user message after the handover: consumed %d, last user %d; want 1 (the dialog's to take), 3", got.ConsumedSeq, got.LastUserSeq)
	}
	got = update(runtime.SessionUpdate{FirstReplyAt: at(2 * time.Minute)})
	got = update(runtime.SessionUpdate{FirstReplyAt: at(3 * time.Minute)})
	if !got.FirstReplyAt.Equal(t0.Add(2 * time.Minute)) {
		t.Fatalf("first reply at %v; want the first, %v", got.FirstReplyAt, t0.Add(2*time.Minute))
	}
	got = update(runtime.SessionUpdate{Transfer: str("2.9"), FirstReplyAt: &time.Time{}, WaitingSince: at(time.Hour), ResolvedAt: &time.Time{}})
	if got.Transfer != "2.9" || got.TransferOutcome != "" || !got.FirstReplyAt.IsZero() || !got.ResolvedAt.IsZero() {
		t.Fatalf("a second handover: %+v", got)
	}
	got = update(runtime.SessionUpdate{EndTransfer: str(runtime.TransferResolved), ResolvedAt: at(2 * time.Hour)})
	if got.TransferOutcome != runtime.TransferResolved || !got.ResolvedAt.Equal(t0.Add(2*time.Hour)) {
		t.Fatalf("resolved: %+v", got)
	}
	if again := mustFind(t, st, s.ID); again.TransferOutcome != runtime.TransferResolved || again.Transfer != "2.9" {
		t.Fatalf("read back: %+v", again)
	}
}
