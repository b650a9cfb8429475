package main

import (
	"context"
	"fmt"
	"time"
)

// fanout: one user with K devices on one conversation (the first socket
// creates it, the others join it with its session_id). Device 0 sends;
// the turn ends when every device has the user message and the bot's
// reply. Reported: how long until all K have the user message, how long
// each device waited for it, and message frames delivered per second.

type fanoutResult struct {
	Sends   int
	Frames  int
	Elapsed time.Duration
	All     summary // send → the last device has the user message
	Each    summary // send → one device has the user message
	Errors  int
}

func runFanout(ctx context.Context, e *env) (*report, error) {
	k := e.o.K
	if err := e.checkFiles(2 * k); err != nil { // the bare echo server holds both ends
		return nil, err
	}
	r := e.newReport("fanout", map[string]any{"k": k})
	p, err := e.fanoutOn(ctx, e.parley, k)
	if err != nil {
		return nil, err
	}
	b, err := e.fanoutOn(ctx, e.bare, k)
	if err != nil {
		return nil, err
	}
	r.pair("sends/s", "sends/s", perSecond(p.Sends, p.Elapsed), perSecond(b.Sends, b.Elapsed))
	r.pair("frames delivered/s", "frames/s", perSecond(p.Frames, p.Elapsed), perSecond(b.Frames, b.Elapsed))
	r.pair("p50 all K have it", "ms", ms(p.All.P50), ms(b.All.P50))
	r.pair("p99 all K have it", "ms", ms(p.All.P99), ms(b.All.P99))
	r.pair("p50 one device has it", "ms", ms(p.Each.P50), ms(b.Each.P50))
	r.pair("p99 one device has it", "ms", ms(p.Each.P99), ms(b.Each.P99))
	r.both("sends", "count", float64(p.Sends), float64(b.Sends))
	r.both("errors", "count", float64(p.Errors), float64(b.Errors))
	return r, nil
}

// fanoutOn connects k devices of one user to t and sends until -duration
// or -turns.
func (e *env) fanoutOn(ctx context.Context, t *target, k int) (fanoutResult, error) {
	var res fanoutResult
	user := e.user("fanout", 0)
	first, err := dial(ctx, t, user, "")
	if err != nil {
		return res, fmt.Errorf("%s: %w", t.name, err)
	}
	rest, err := dialAll(ctx, t, k-1, func(int) string { return user }, func(int) string { return first.sessionID })
	if err != nil {
		first.close()
		return res, err
	}
	devices := append([]*client{first}, rest...)
	defer closeAll(devices)
	if err := fanoutTurn(ctx, devices, "warm", &recorder{}, &recorder{}); err != nil {
		return res, fmt.Errorf("%s: warm-up: %w", t.name, err)
	}
	var all, each recorder
	start := time.Now()
	b := newBudget(e.o.Turns, start.Add(e.o.Duration))
	for i := 0; b.take(); i++ {
		if err := fanoutTurn(ctx, devices, fmt.Sprintf("f-%d", i), &all, &each); err != nil {
			res.Errors++
			if ctx.Err() != nil {
				break
			}
		}
	}
	res.Elapsed = time.Since(start)
	res.All, res.Each = all.summary(), each.summary()
	res.Sends = res.All.Count
	res.Frames = 2 * k * res.Sends
	return res, nil
}

// fanoutTurn sends content from device 0 and waits until every device
// has the user message and the reply. The reader goroutines stamp the
// arrivals, so reading the devices one after another keeps the timings.
func fanoutTurn(ctx context.Context, devices []*client, content string, all, each *recorder) error {
	ctx, cancel := context.WithTimeout(ctx, turnTimeout)
	defer cancel()
	t0 := time.Now()
	if err := devices[0].send(ctx, content); err != nil {
		return err
	}
	sh := each.shard()
	defer sh.done()
	var slowest time.Duration
	for _, d := range devices {
		at, err := d.await(ctx, "user", content)
		if err != nil {
			return err
		}
		if _, err := d.await(ctx, "bot", content); err != nil {
			return err
		}
		sh.add(at.Sub(t0))
		slowest = max(slowest, at.Sub(t0))
	}
	a := all.shard()
	a.add(slowest)
	a.done()
	return nil
}
