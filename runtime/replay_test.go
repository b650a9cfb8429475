package runtime_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"parley/runtime"
)

// counterEngine's dialogs keep Go state (a count of messages) that only a
// replay can restore, and ask the host for the time, so that a replay
// must answer from the journal.
type counterEngine struct {
	fakeEngine
	prefix atomic.Value // string said before each count; changing it diverges
}

func (e *counterEngine) NewDialog(s *runtime.Session, sc *runtime.Script, h runtime.DialogHost) (runtime.Dialog, error) {
	return &counterDialog{e: e, host: h}, nil
}

type counterDialog struct {
	e    *counterEngine
	host runtime.DialogHost
	n    int
}

func (d *counterDialog) Step(ctx context.Context, in *runtime.Message) (bool, error) {
	if in == nil {
		return false, nil
	}
	d.n++
	t, err := d.host.Now(ctx)
	if err == nil {
		err = d.host.Talk(ctx, fmt.Sprintf("%s%d at %d", d.e.prefix.Load(), d.n, t.UnixNano()))
	}
	return err != nil, err
}

func (d *counterDialog) Close() {}

func newCounterHub(t *testing.T) (*testHub, *counterEngine) {
	h := newHub(t, silent, runtime.Config{})
	eng := &counterEngine{}
	eng.prefix.Store("n=")
	// Swap the engine under the same store: a second hub over it.
	hub := runtime.New(runtime.Config{Store: h.store, Engine: eng})
	t.Cleanup(func() { hub.Close(context.Background()) })
	return &testHub{Hub: hub, store: h.store, engine: &eng.fakeEngine}, eng
}

// A dialog rebuilt from its journal has the state it had, and the values
// it saw: the next turn goes on from there.
func TestReloadReplaysJournal(t *testing.T) {
	h, _ := newCounterHub(t)
	sub := h.join(t, alice, runtime.JoinRequest{})
	var said []string
	for i := range 3 {
		h.send(t, alice, sub.Session.ID, fmt.Sprint("m", i))
		expectMessage(t, sub, runtime.SenderUser, fmt.Sprint("m", i))
		said = append(said, nextEvent(t, sub).Message.Content)
	}
	before := h.Stats().Replays
	if err := h.Reload(context.Background(), sub.Session.ID); err != nil {
		t.Fatal(err)
	}
	if h.Stats().Replays != before+1 {
		t.Fatal("Reload did not replay")
	}
	expectQuiet(t, sub) // a replay says nothing
	h.send(t, alice, sub.Session.ID, "m3")
	expectMessage(t, sub, runtime.SenderUser, "m3")
	if got := nextEvent(t, sub).Message.Content; got[:4] != "n=4 " {
		t.Fatalf("after the replay the dialog said %q (before: %q), want n=4", got, said)
	}
}

// A script that no longer matches its journal is not continued from a
// wrong place: the run ends with dialog_error, the next message starts a
// new one.
func TestReloadDivergence(t *testing.T) {
	h, eng := newCounterHub(t)
	sub := h.join(t, alice, runtime.JoinRequest{})
	h.send(t, alice, sub.Session.ID, "a")
	expectMessage(t, sub, runtime.SenderUser, "a")
	nextEvent(t, sub)

	eng.prefix.Store("changed=")
	h.Reload(context.Background(), sub.Session.ID)
	if e := nextEvent(t, sub); e.Type != runtime.EventError || e.Code != runtime.KindDialog {
		t.Fatalf("event %s, want dialog_error", describe(e))
	}
	h.send(t, alice, sub.Session.ID, "b")
	expectMessage(t, sub, runtime.SenderUser, "b")
	if got := nextEvent(t, sub).Message.Content; got[:10] != "changed=1 " {
		t.Fatalf("after the divergence the dialog said %q, want a new run", got)
	}
}

// Recover answers a message stored but never given to the dialog (as
// after a crash between the acknowledgement and the answer).
func TestRecoverAnswersPending(t *testing.T) {
	h, _ := newCounterHub(t)
	sub := h.join(t, alice, runtime.JoinRequest{})
	sid := sub.Session.ID
	sub.WaitIdle(context.Background())
	sub.Close()
	// Stored behind the hub's back: nobody gives it to the dialog.
	m := &runtime.Message{SessionID: sid, Sender: runtime.SenderUser, Content: "lost?"}
	if _, err := h.store.AppendMessage(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	h.Evict(time.Now().Add(time.Hour))
	n, err := h.Recover(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("Recover = %d, %v; want 1 conversation", n, err)
	}
	back := h.join(t, alice, runtime.JoinRequest{SessionID: sid})
	back.WaitIdle(context.Background())
	msgs := h.stored(t, sid)
	if last := msgs[len(msgs)-1]; last.Sender != runtime.SenderBot || last.Content[:4] != "n=1 " {
		t.Fatalf("last stored message %+v, want the bot's answer", last)
	}
}
