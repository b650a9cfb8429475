package main

import (
	"context"
	"time"
)

// parked: N users each start a conversation with the echo bot and make
// one turn, which leaves the dialog parked in HEAR. The heap per
// conversation is read with the sockets open, and again after they
// closed (the conversation and its parked dialog stay in memory until
// --dialog-idle-evict). The bare echo server keeps a room and its two
// messages per socket, and forgets a room when its socket closes.

type parkedResult struct {
	open, closed heapPair // deltas from before the conversations
}

func runParked(ctx context.Context, e *env) (*report, error) {
	n := e.n(2000)
	if err := e.checkFiles(2 * n); err != nil { // the bare echo server holds both ends
		return nil, err
	}
	r := e.newReport("parked", map[string]any{"n": n})
	p, err := e.parkedOn(ctx, e.parley, n, "parked", false)
	if err != nil {
		return nil, err
	}
	b, err := e.parkedOn(ctx, e.bare, n, "parked", false)
	if err != nil {
		return nil, err
	}
	po, bo := p.open.server.perUnit(n), bareCost(b.open, p.open).perUnit(n)
	pc := p.closed.server.perUnit(n)
	r.pair("heap per conversation, socket open", "KB", po.Heap, bo.Heap)
	r.pair("stack per conversation, socket open", "KB", po.Stack, bo.Stack)
	r.one("heap per parked dialog, socket closed", "KB", pc.Heap)
	r.one("stack per parked dialog, socket closed", "KB", pc.Stack)
	return r, nil
}

// parkedOn parks n conversations of users named after users on t, and
// reads the heap with their sockets open and after closing them. With
// evict, each reading waits until the server has evicted the dialogs
// (open) and the conversations (closed).
func (e *env) parkedOn(ctx context.Context, t *target, n int, users string, evict bool) (parkedResult, error) {
	var res parkedResult
	wait := 3*e.o.Evict + time.Minute
	s0, d0, c0, err := parkedGauges(ctx, t)
	if err != nil {
		return res, err
	}
	before, err := readHeaps(ctx, t)
	if err != nil {
		return res, err
	}
	cs, err := dialAll(ctx, t, n, func(i int) string { return e.user(users, i) }, noSession)
	if err != nil {
		return res, err
	}
	defer closeAll(cs)
	if err := warmUp(ctx, cs); err != nil {
		return res, err
	}
	if evict {
		if err := waitGauge(ctx, t, "parley_dialogs_live", wait, atMost(d0)); err != nil {
			return res, err
		}
	}
	open, err := readHeaps(ctx, t)
	if err != nil {
		return res, err
	}
	closeAll(cs)
	if err := waitGauge(ctx, t, "parley_sockets", time.Minute, atMost(s0)); err != nil {
		return res, err
	}
	if evict {
		if err := waitGauge(ctx, t, "parley_conversations_live", wait, atMost(c0)); err != nil {
			return res, err
		}
	}
	closed, err := readHeaps(ctx, t)
	if err != nil {
		return res, err
	}
	return parkedResult{open: open.minus(before), closed: closed.minus(before)}, nil
}

// parkedGauges reads the sockets, dialogs and conversations in memory.
func parkedGauges(ctx context.Context, t *target) (s, d, c float64, err error) {
	if s, err = t.gauge(ctx, "parley_sockets"); err != nil {
		return
	}
	if d, err = t.gauge(ctx, "parley_dialogs_live"); err != nil {
		return
	}
	c, err = t.gauge(ctx, "parley_conversations_live")
	return
}

func atMost(limit float64) func(float64) bool {
	return func(v float64) bool { return v <= limit }
}
