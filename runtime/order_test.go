package runtime_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"parley/runtime"
)

// The dialog gets user messages in seq order even when they are sent
// concurrently (two devices of one user).
func TestDialogInputsInSeqOrder(t *testing.T) {
	t.Parallel()
	const senders, perSender = 8, 100
	var mu sync.Mutex
	var heard []string // a message offered to a parked dialog has no seq yet: by content
	record := func(ctx context.Context, h runtime.DialogHost, in *runtime.Message) error {
		if in != nil {
			mu.Lock()
			heard = append(heard, in.Content)
			mu.Unlock()
		}
		return nil
	}
	h := newHub(t, record, runtime.Config{QueueSize: senders*perSender + 1})
	sub := h.join(t, alice, runtime.JoinRequest{})
	var wg sync.WaitGroup
	for s := range senders {
		wg.Go(func() {
			for i := range perSender {
				req := runtime.SendRequest{SessionID: sub.Session.ID, Content: fmt.Sprint(s, "-", i)}
				if _, _, err := h.Send(context.Background(), alice, req); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	h.send(t, alice, sub.Session.ID, "last")
	// Close lets the dialog finish every stored input before it returns.
	if err := h.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	seqOf := map[string]int64{}
	for _, m := range h.stored(t, sub.Session.ID) {
		seqOf[m.Content] = m.Seq
	}
	mu.Lock()
	defer mu.Unlock()
	if len(heard) != senders*perSender+1 {
		t.Fatalf("the dialog got %d inputs, want %d", len(heard), senders*perSender+1)
	}
	for i, content := range heard {
		if seq := seqOf[content]; seq != int64(i+1) {
			t.Fatalf("input %d has seq %d: the dialog got messages out of seq order", i, seq)
		}
	}
}
