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
	prefix := []string{"", "half-peak "}
	if e.o.Rate > 0 {
		prefix[0] = "open-loop "
	}
	for i := range p {
		addTurnRows(r, prefix[i], p[i], b[i])
	}
	if e.o.FindPeak {
		r.both("half-peak rate asked", "turns/s", rate, rate)
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
	switch {
	case e.o.FindPeak:
		closed := driveClosed(ctx, cs, "closed", e.o)
		if rate == 0 {
			rate = math.Round(closed.rate() / 2)
		}
		if rate <= 0 {
			return nil, fmt.Errorf("%s: no turn completed in closed loop", t.name)
		}
		return []turnResult{closed, driveOpen(ctx, cs, "half", e.o, rate)}, nil
	case rate > 0:
		return []turnResult{driveOpen(ctx, cs, "open", e.o, rate)}, nil
	}
	return []turnResult{driveClosed(ctx, cs, "closed", e.o)}, nil
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

func addTurnRows(r *report, prefix string, p, b turnResult) {
	r.pair(prefix+"turns/s", "turns/s", p.rate(), b.rate())
	r.pair(prefix+"p50 turn", "ms", ms(p.Lat.P50), ms(b.Lat.P50))
	r.pair(prefix+"p90 turn", "ms", ms(p.Lat.P90), ms(b.Lat.P90))
	r.pair(prefix+"p99 turn", "ms", ms(p.Lat.P99), ms(b.Lat.P99))
	r.both(prefix+"turns", "count", float64(p.Turns), float64(b.Turns))
	r.both(prefix+"errors", "count", float64(p.Errors), float64(b.Errors))
}

func noSession(int) string { return "" }
