package main

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// idle: N sockets that do nothing, and the server heap each costs. The
// sockets come in groups of socketsPerUser, one user and one conversation
// per group. The first socket of a group creates the conversation (and
// its dialog); the heap is read after those and again after the rest have
// joined, so the difference is sockets alone, not conversations.
const socketsPerUser = 50

type idleResult struct {
	joined  int      // sockets between the two readings
	delta   heapPair // their cost
	connect float64  // sockets/s while they joined
	dead    int      // sockets that closed while held
}

func runIdle(ctx context.Context, e *env) (*report, error) {
	n := e.n(2000)
	if n < 2 {
		return nil, errors.New("idle needs -n of at least 2")
	}
	if err := e.checkFiles(n); err != nil {
		return nil, err
	}
	r := e.newReport("idle", map[string]any{"n": n})
	p, err := e.idleOn(ctx, e.parley, n)
	if err != nil {
		return nil, err
	}
	pc := p.delta.server.perUnit(p.joined)
	if !e.bareFits(n) {
		r.one("heap per idle socket", "KB", pc.Heap)
		r.one("stack per idle socket", "KB", pc.Stack)
		r.one("generator heap per socket", "KB", p.delta.local.perUnit(p.joined).Heap)
		r.one("connects/s", "sockets/s", p.connect)
		r.one("sockets held", "count", float64(n))
		r.one("errors", "count", float64(p.dead))
		return r, nil
	}
	b, err := e.idleOn(ctx, e.bare, n)
	if err != nil {
		return nil, err
	}
	bc := bareCost(b.delta, p.delta).perUnit(b.joined)
	r.pair("heap per idle socket", "KB", pc.Heap, bc.Heap)
	r.pair("stack per idle socket", "KB", pc.Stack, bc.Stack)
	r.one("generator heap per socket", "KB", p.delta.local.perUnit(p.joined).Heap)
	r.pair("connects/s", "sockets/s", p.connect, b.connect)
	r.both("sockets held", "count", float64(n), float64(n))
	r.both("errors", "count", float64(p.dead), float64(b.dead))
	return r, nil
}

// idleOn opens n sockets on t, reads the heap around the joiners, holds
// them for -duration and counts those that closed.
func (e *env) idleOn(ctx context.Context, t *target, n int) (idleResult, error) {
	var res idleResult
	groups := (n + socketsPerUser - 1) / socketsPerUser
	s0, err := t.gauge(ctx, "parley_sockets")
	if err != nil {
		return res, err
	}
	user := func(i int) string { return e.user("idle", i%groups) }
	firsts, err := dialAll(ctx, t, groups, user, noSession)
	if err != nil {
		return res, err
	}
	defer closeAll(firsts)
	before, err := readHeaps(ctx, t)
	if err != nil {
		return res, err
	}
	res.joined = n - groups
	start := time.Now()
	joiners, err := dialAll(ctx, t, res.joined, user, func(i int) string { return firsts[i%groups].sessionID })
	if err != nil {
		return res, err
	}
	res.connect = perSecond(res.joined, time.Since(start))
	defer closeAll(joiners)
	if err := waitGauge(ctx, t, "parley_sockets", time.Minute, func(v float64) bool { return v >= s0+float64(n) }); err != nil {
		return res, err
	}
	after, err := readHeaps(ctx, t)
	if err != nil {
		return res, err
	}
	res.delta = after.minus(before)
	res.dead = hold(ctx, firsts, e.o.Duration) + hold(ctx, joiners, 0)
	if ctx.Err() != nil {
		return res, fmt.Errorf("%s: %w", t.name, ctx.Err())
	}
	return res, nil
}
