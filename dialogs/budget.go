package dialogs

import (
	"sync/atomic"
	"time"
)

// budget is a turn's Lua time budget: a timer that runs only while Lua
// does. HEAR and every DialogHost call (WAIT and TYPING's pause among them)
// pause it, so a dialog may wait for a user for days, or for a slow
// commit, and still have its full budget for the next turn. When it runs out,
// expire is called (from the timer's goroutine) to stop the script.
//
// It is used only from the dialog's goroutine; the timer's own goroutine
// only calls expire. running publishes, for the memory sentinel
// (memory_sentinel.go), since when Lua has run without a pause (UnixNano),
// or 0 while the clock is paused.
type budget struct {
	limit   time.Duration
	timer   *time.Timer
	left    time.Duration
	since   time.Time
	paused  bool
	running *atomic.Int64
}

func newBudget(limit time.Duration, expire func(), running *atomic.Int64) *budget {
	t := time.AfterFunc(time.Hour, expire)
	t.Stop()
	return &budget{limit: limit, timer: t, paused: true, running: running}
}

// renew starts a new turn with the whole budget.
func (b *budget) renew() {
	b.pause()
	b.left = b.limit
	b.resume()
}

// pause stops the clock; pausing twice is harmless.
func (b *budget) pause() {
	if b.paused {
		return
	}
	b.paused = true
	b.running.Store(0)
	b.timer.Stop()
	b.left -= time.Since(b.since)
}

// hold pauses the clock for a host call and reports whether it was
// running, that is whether the caller must resume it.
func (b *budget) hold() bool {
	if b.paused {
		return false
	}
	b.pause()
	return true
}

// resume restarts the clock with what is left of the turn's budget. If the
// timer fired meanwhile, the run is already stopped; a new firing is
// harmless because stopping is idempotent.
func (b *budget) resume() {
	if !b.paused {
		return
	}
	b.paused = false
	b.since = time.Now()
	b.running.Store(b.since.UnixNano())
	b.timer.Reset(max(b.left, 0))
}
