package dialogs_test

import (
	"context"
	"errors"
	goruntime "runtime"
	"testing"
	"time"

	"parley/dialogs"
	"parley/runtime"
)

// TestRestartAfterReturn: when the script has returned, the next message
// runs it from the top and its first HEAR gets that message.
func TestRestartAfterReturn(t *testing.T) {
	t.Parallel()
	c := startChat(t, newEngine(t, botFS(t, "restart")), "t", nil)
	c.begin("talk: start")
	c.say("a", "talk: got a")
	c.say("b", "talk: start", "talk: got b")
}

// TestRestartAfterError: after a failure the dialog is ready again, and
// the next message starts a new run.
func TestRestartAfterError(t *testing.T) {
	t.Parallel()
	c := startChat(t, newEngine(t, botFS(t, "restart")), "t", nil)
	c.begin("talk: start")
	se := scriptError(t, c.step("boom"))
	if se.Line != 4 || se.Err.Error() != "kaboom" {
		t.Errorf("got %v at line %d", se.Err, se.Line)
	}
	c.expect()
	c.say("c", "talk: start", "talk: got c")
}

// TestFirstStepWithInput: a dialog that never ran (as after a server
// restart) starts from the top and its first HEAR gets the message.
func TestFirstStepWithInput(t *testing.T) {
	t.Parallel()
	c := startChat(t, newEngine(t, botFS(t, "greet")), "t", nil)
	c.say("Zoe", "talk: Hi! What's your name?", "talk: Hello, Zoe!")
	c.say("Max", "talk: Hi! What's your name?", "talk: Hello, Max!")
}

// TestNilStepWhileWaiting: a nil input has nothing to give a waiting HEAR.
func TestNilStepWhileWaiting(t *testing.T) {
	t.Parallel()
	c := startChat(t, newEngine(t, botFS(t, "greet")), "t", nil)
	c.begin("talk: Hi! What's your name?")
	c.begin()
	c.say("Bob", "talk: Hello, Bob!")
}

// TestCloseFreesGoroutines parks dialogs in HEAR, half of them inside
// pcall, where HEAR keeps a goroutine (yield.go), closes them and checks
// that their goroutines are free (back with the idle workers, which end
// after workerIdle: workers.go).
func TestCloseFreesGoroutines(t *testing.T) { // not parallel: counts goroutines
	before, busyBefore := settledGoroutines(), dialogs.Busy()
	e := newEngine(t, sourceFS(`if GET("nested") then pcall(HEAR) else HEAR() end`))
	var ds []runtime.Dialog
	for i := range 50 {
		mem := newMemory()
		if i%2 == 0 {
			mem.kv["nested"] = "true"
		}
		d, err := e.NewDialog(&runtime.Session{ID: "s", BotID: "t"}, nil, &fakeHost{mem: mem})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Step(t.Context(), nil); err != nil {
			t.Fatal(err)
		}
		ds = append(ds, d)
	}
	if n := goruntime.NumGoroutine(); n < before+25 {
		t.Fatalf("%d goroutines with 25 dialogs blocked in HEAR, %d before", n, before)
	}
	if busy := dialogs.Busy(); busy < busyBefore+25 {
		t.Fatalf("%d workers busy with 25 dialogs blocked in HEAR, %d before", busy, busyBefore)
	}
	for _, d := range ds {
		d.Close()
		d.Close() // twice is harmless
	}
	if busy := dialogs.Busy(); busy != busyBefore {
		t.Fatalf("%d workers busy after Close, %d before", busy, busyBefore)
	}
}

// TestCloseNeverStarted: Close of a dialog that never ran; Step after
// Close is an error, not a hang.
func TestCloseNeverStarted(t *testing.T) {
	t.Parallel()
	c := startChat(t, newEngine(t, botFS(t, "greet")), "t", nil)
	c.d.Close()
	if err := c.step("hi"); !runtime.IsKind(err, runtime.KindUnavailable) {
		t.Errorf("Step after Close: %v", err)
	}
}

// TestCancelStep: when the caller gives up on a Step, the script stops
// (here in WAIT) and Step returns the context's error; the dialog then
// starts again.
func TestCancelStep(t *testing.T) {
	t.Parallel()
	c := startChat(t, newEngine(t, botFS(t, "wait")), "t", nil)
	ctx, cancel := context.WithCancel(t.Context())
	c.host.onTalk = func(string) { cancel() }
	if err := c.stepNil(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Step: %v, want context.Canceled", err)
	}
	c.expect("talk: waiting") // WAIT sees the turn is over and does not reach the host
	ctx, cancel = context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	c.host.onTalk = nil
	if err := c.stepNil(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Step: %v, want context.DeadlineExceeded", err)
	}
	c.expect("talk: waiting", "wait: 1h0m0s") // the host's Wait ends with the turn
}

// TestCancelLoopingStep: a cancelled Step stops a busy script too.
func TestCancelLoopingStep(t *testing.T) {
	t.Parallel()
	c := startChat(t, newEngine(t, botFS(t, "loop")), "t", nil)
	ctx, cancel := context.WithCancel(t.Context())
	c.host.onTalk = func(string) { cancel() }
	if err := c.stepNil(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Step: %v, want context.Canceled", err)
	}
}

// TestHostFailure: when the conversation cannot store a TALK, the run
// ends with the host's error (not a script error) even if the script
// catches it, and the next Step starts again.
func TestHostFailure(t *testing.T) {
	t.Parallel()
	c := startChat(t, newEngine(t, sourceFS(`
		TALK "one"
		pcall(TALK, "two")
		while not pcall(TALK, "three") do end
		HEAR()`)), "t", nil)
	storeDown := errors.New("store down")
	c.host.onTalk = func(text string) {
		if text == "two" {
			c.host.fail = storeDown
		}
	}
	if err := c.stepNil(t.Context()); !errors.Is(err, storeDown) || runtime.IsKind(err, runtime.KindDialog) {
		t.Fatalf("Step: %v, want %v", err, storeDown)
	}
	c.expect("talk: one", "talk: two", "talk: three") // one failed attempt, no retry loop
	c.host.fail, c.host.onTalk = nil, nil
	c.begin("talk: one", "talk: two", "talk: three")
}

// settledGoroutines counts goroutines once those of earlier tests (with
// -count > 1, the parallel tests of the last round) have finished exiting.
func settledGoroutines() int {
	n, same := goruntime.NumGoroutine(), 0
	for deadline := time.Now().Add(2 * time.Second); same < 5 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
		if m := goruntime.NumGoroutine(); m == n {
			same++
		} else {
			n, same = m, 0
		}
	}
	return n
}
