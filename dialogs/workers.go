package dialogs

import (
	"sync/atomic"
	"time"
)

// workers are the goroutines that run turns (dialog.runTurn), shared by
// all dialogs. The VM recurses on the Go stack, so a turn needs a stack
// of some KB; a goroutine started for each turn would grow one from the
// smallest by copying it, every turn (3 µs of a 5 µs echo turn). A worker
// keeps its stack for the next turn of any dialog instead, and ends after
// workerIdle without one, so that a burst of turns leaves no goroutines
// behind. A worker whose run blocks in HEAR (yield.go) stays with that
// dialog until the run yields or ends.
var workers = &pool{jobs: make(chan job)}

const workerIdle = 10 * time.Second

type pool struct {
	jobs chan job     // unbuffered: a send succeeds only if a worker waits
	busy atomic.Int64 // workers running a turn or blocked in HEAR
}

type job struct {
	d *dialog
	t turn
}

// run runs d's turn t on an idle worker, or on a new one.
func (p *pool) run(d *dialog, t turn) {
	select {
	case p.jobs <- job{d, t}:
	default:
		go p.work(job{d, t})
	}
}

func (p *pool) work(j job) {
	idle := time.NewTimer(workerIdle)
	for {
		p.busy.Add(1)
		j.d.runTurn(j.t, &p.busy)
		idle.Reset(workerIdle)
		select {
		case j = <-p.jobs:
		case <-idle.C:
			return
		}
	}
}
