package main

import (
	"context"
	"fmt"
	"math"
)

// turns: N sockets of N users talk to the echo bot, one message at a
// time each (closed loop), or at a fixed total rate (-rate, open loop).
// -find-peak runs closed loop, then open loop on both targets at half of
// Parley's closed-loop rate: issue 8's "p99 at half of peak" in one run.
// The Botkit peer (botkit.go), when it runs, is driven as the bare echo
// server is, in the same phases at the same rates.

func runTurns(ctx context.Context, e *env) (*report, error) {
	n := e.n(64)
	if err := e.checkFiles(2 * n); err != nil { // the bare echo server holds both ends
		return nil, err
	}
	params := map[string]any{"n": n, "mode": "closed-loop"}
	switch {
	case e.o.FindPeak:
		params["mode"] = "find-peak"
	case e.o.Rate > 0:
		params["mode"], params["rate"] = "open-loop", e.o.Rate
	}
	r := e.newReport("turns", params)
	p, err := e.turnsOn(ctx, e.parley, n, e.o.Rate)
	if err != nil {
		return nil, err
	}
	rate := e.o.Rate
	if e.o.FindPeak {
		rate = math.Round(p[0].rate() / 2) // a row, not a param: it differs run to run
	}
	b, err := e.turnsOn(ctx, e.bare, n, rate)
	if err != nil {
		return nil, err
	}
	var k []turnResult
	if e.botkit != nil {
		if k, err = e.turnsOn(ctx, e.botkit, n, rate); err != nil {
			return nil, err
		}
	}
	prefix := []string{"", "half-peak "}
	if e.o.Rate > 0 {
		prefix[0] = "open-loop "
	}
	for i := range p {
		var peer *turnResult
		if k != nil {
			peer = &k[i]
		}
		addTurnRows(r, prefix[i], p[i], b[i], peer)
	}
	if e.o.FindPeak {
		r.both("half-peak rate asked", "turns/s", rate, rate)
		if k != nil {
			r.withBotkit(rate, false)
		}
		addFsyncRows(r, p[1], b[1])
	}
	return r, nil
}

// turnsOn connects n sockets to t and runs the phases: closed loop, or
// open loop at rate, or (find-peak) closed then open loop at half of the
// closed loop's rate when rate is 0, at rate otherwise.
func (e *env) turnsOn(ctx context.Context, t *target, n int, rate float64) ([]turnResult, error) {
	cs, err := dialAll(ctx, t, n, func(i int) string { return e.user("turns", i) }, noSession)
	if err != nil {
		return nil, err
	}
	defer closeAll(cs)
	if err := warmUp(ctx, cs); err != nil {
		return nil, fmt.Errorf("%s: %w", t.name, err)
	}
	// measured runs a phase and records the server's CPU time through it.
	measured := func(drive func() turnResult) turnResult {
		before, ok := t.cpuTime()
		r := drive()
		if after, ok2 := t.cpuTime(); ok && ok2 {
			r.CPU, r.HasCPU = after-before, true
		}
		return r
	}
	switch {
	case e.o.FindPeak:
		closed := measured(func() turnResult { return driveClosed(ctx, cs, "closed", e.o) })
		if rate == 0 {
			rate = math.Round(closed.rate() / 2)
		}
		if rate <= 0 {
			return nil, fmt.Errorf("%s: no turn completed in closed loop", t.name)
		}
		drive := func() turnResult { return driveOpen(ctx, cs, "half", e.o, rate) }
		if t == e.bare { // with the disk's fsync latency beside it (fsync.go)
			drive = withFsyncProbe(ctx, drive, &err)
		}
		half := measured(drive)
		if err != nil {
			return nil, fmt.Errorf("fsync probe: %w", err)
		}
		return []turnResult{closed, half}, nil
	case rate > 0:
		return []turnResult{measured(func() turnResult { return driveOpen(ctx, cs, "open", e.o, rate) })}, nil
	}
	return []turnResult{measured(func() turnResult { return driveClosed(ctx, cs, "closed", e.o) })}, nil
}

// warmUp makes one untimed turn on every socket, so that the timed
// phases start with every conversation and dialog in place.
func warmUp(ctx context.Context, cs []*client) error {
	errs := make(chan error, len(cs))
	for i, c := range cs {
		go func() {
			_, err := c.turn(ctx, fmt.Sprintf("warm-%d", i))
			errs <- err
		}()
	}
	for range cs {
		if err := <-errs; err != nil {
			return fmt.Errorf("warm-up turn: %w", err)
		}
	}
	return nil
}

// addTurnRows adds a phase's rows: Parley's, the bare echo server's and,
// when k is not nil, the Botkit peer's.
func addTurnRows(r *report, prefix string, p, b turnResult, k *turnResult) {
	for _, row := range []struct {
		name, unit string
		value      func(turnResult) float64
		ratio      bool
	}{
		{"turns/s", "turns/s", turnResult.rate, true},
		{"p50 turn", "ms", func(t turnResult) float64 { return ms(t.Lat.P50) }, true},
		{"p90 turn", "ms", func(t turnResult) float64 { return ms(t.Lat.P90) }, true},
		{"p99 turn", "ms", func(t turnResult) float64 { return ms(t.Lat.P99) }, true},
		{"turns", "count", func(t turnResult) float64 { return float64(t.Turns) }, false},
		{"errors", "count", func(t turnResult) float64 { return float64(t.Errors) }, false},
	} {
		if row.ratio {
			r.pair(prefix+row.name, row.unit, row.value(p), row.value(b))
		} else {
			r.both(prefix+row.name, row.unit, row.value(p), row.value(b))
		}
		if k != nil {
			r.withBotkit(row.value(*k), row.ratio)
		}
	}
	// The server's CPU per turn, where its process is known: the bare
	// echo server shares this process with the generator (cpu.go).
	if p.HasCPU {
		r.one(prefix+"server CPU per turn", "µs", p.cpuPerTurn())
		if k != nil && k.HasCPU {
			r.withBotkit(k.cpuPerTurn(), true)
		}
	}
}

func noSession(int) string { return "" }
