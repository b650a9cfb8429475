package ws

import (
	"sync/atomic"
	"testing"
	"time"
)

const waitFor = 10 * time.Second

// The lost wakeup, forced: an event is queued and kicked just after the
// writer found the queue empty and before it decided to exit. The writer
// must drain again rather than strand the event.
func TestWakeupNotLostInTheWindow(t *testing.T) {
	t.Parallel()
	var queued, written atomic.Int64
	inWindow, proceed := make(chan struct{}), make(chan struct{})
	drained := make(chan int64, 16)
	calls := 0
	w := &wakeup{}
	w.drain = func() bool {
		calls++ // one goroutine at a time: no race
		written.Add(queued.Swap(0))
		if calls == 1 { // the queue is empty now: the window
			close(inWindow)
			<-proceed
		}
		drained <- written.Load()
		return true
	}
	queued.Add(1)
	w.kick()
	<-inWindow
	queued.Add(1) // a producer queues and kicks in the window
	w.kick()
	close(proceed)
	for {
		select {
		case n := <-drained:
			if n == 2 {
				return
			}
		case <-time.After(waitFor):
			t.Fatalf("the event queued in the window was stranded (%d of 2 written)", written.Load())
		}
	}
}

// One drain at a time, however many kick at once.
func TestWakeupOneAtATime(t *testing.T) {
	t.Parallel()
	var running atomic.Int32
	var overlapped atomic.Bool
	finish, finished := make(chan struct{}), make(chan struct{})
	w := &wakeup{}
	w.drain = func() bool {
		if running.Add(1) > 1 {
			overlapped.Store(true)
		}
		defer running.Add(-1)
		select {
		case <-finish:
			close(finished)
			return false
		default:
			return true
		}
	}
	done := make(chan struct{})
	for range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 1000 {
				w.kick()
			}
		}()
	}
	for range 8 {
		<-done
	}
	close(finish)
	w.kick() // the last: a drain after it sees finish
	select {
	case <-finished:
	case <-time.After(waitFor):
		t.Fatal("the last kick did not drain")
	}
	if overlapped.Load() {
		t.Fatal("two drains ran at once")
	}
}

// Once drain says the socket is finished, no kick starts one again.
func TestWakeupDone(t *testing.T) {
	t.Parallel()
	drains := 0
	w := &wakeup{drain: func() bool { drains++; return false }}
	w.pending.Add(1) // as the kick that started it
	w.loop()         // here, synchronously
	for range 100 {
		w.kick()
	}
	if drains != 1 || w.pending.Load() < wakeupDone {
		t.Fatalf("%d drains, pending %d: a kick after the end started a writer", drains, w.pending.Load())
	}
}
