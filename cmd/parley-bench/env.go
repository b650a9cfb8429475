package main

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"time"
)

// env is what a scenario gets: the options and the targets of one run.
type env struct {
	o       options
	parley  *target
	bare    *target
	botkit  *target // the peer (turns only; nil when it is off or cannot run)
	tag     string  // makes this run's user names unique on a reused server
	backend string
	files   uint64 // the open files limit
}

// fileMargin is the descriptors a process needs besides its sockets.
const fileMargin = 256

// checkFiles fails early when n sockets cannot fit under the open files
// limit: each is a descriptor in this process and one in the server.
func (e *env) checkFiles(n int) error {
	if e.files > 0 && uint64(n+fileMargin) > e.files {
		return fmt.Errorf("%d sockets need more than the open files limit of %d per process (raise the hard limit: ulimit -Hn)", n, e.files)
	}
	return nil
}

// bareFits reports whether n sockets to the bare echo server fit: both
// ends are in this process. When they do not, the scenario reports
// Parley alone.
func (e *env) bareFits(n int) bool {
	if e.files == 0 || uint64(2*n+fileMargin) <= e.files {
		return true
	}
	fmt.Fprintf(os.Stderr, "parley-bench: %d bare echo sockets need %d descriptors in this process, over the limit of %d: Parley alone\n", n, 2*n, e.files)
	return false
}

// scenarioFuncs are the scenarios by name; each has its own file.
var scenarioFuncs = map[string]func(context.Context, *env) (*report, error){
	"turns":   runTurns,
	"fanout":  runFanout,
	"idle":    runIdle,
	"parked":  runParked,
	"evicted": runEvicted,
	"history": runHistory,
	"floor":   runFloor,
}

// n is -n, or the scenario's default.
func (e *env) n(def int) int {
	if e.o.N > 0 {
		return e.o.N
	}
	return def
}

// user names user i of a scenario.
func (e *env) user(scenario string, i int) string {
	return fmt.Sprintf("bench-%s-%s-%d", e.tag, scenario, i)
}

func (e *env) newReport(scenario string, params map[string]any) *report {
	params["duration"] = e.o.Duration.String()
	if e.o.Turns > 0 {
		params["turns"] = e.o.Turns
	}
	return &report{Scenario: scenario, Backend: e.backend, Params: params, Runs: 1}
}

// waitGauge polls t's metric until ok accepts it, for at most timeout.
func waitGauge(ctx context.Context, t *target, name string, timeout time.Duration, ok func(float64) bool) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		v, err := t.gauge(ctx, name)
		if err == nil && ok(v) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %s stayed at %v (%v)", t.name, name, v, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// budget hands out at most -turns tickets (any number when -turns is 0)
// until a time limit.
type budget struct {
	limited bool
	left    atomic.Int64
	until   time.Time
}

func newBudget(turns int, until time.Time) *budget {
	b := &budget{limited: turns > 0, until: until}
	b.left.Store(int64(turns))
	return b
}

// take reports whether one more turn may start now.
func (b *budget) take() bool {
	if !time.Now().Before(b.until) {
		return false
	}
	return !b.limited || b.left.Add(-1) >= 0
}
