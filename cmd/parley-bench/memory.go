package main

import (
	"context"
	"time"
)

// Shared steps of the memory scenarios (idle, parked, evicted).

// settle lets the servers finish the work a burst of sockets started
// (joins, first turns, log lines) before the heap is read.
const settle = 500 * time.Millisecond

// heapPair is a reading of the target's heap and of this process's. On
// the Parley run this process holds only the clients, so its share is
// what the clients cost; the bare echo run's server cost is its reading
// minus that share.
type heapPair struct {
	server, local memSample
}

func (a heapPair) minus(b heapPair) heapPair {
	return heapPair{server: a.server.minus(b.server), local: a.local.minus(b.local)}
}

// readHeaps waits for the servers to settle and reads both heaps.
func readHeaps(ctx context.Context, t *target) (heapPair, error) {
	select {
	case <-time.After(settle):
	case <-ctx.Done():
		return heapPair{}, ctx.Err()
	}
	s, err := t.heap(ctx)
	if err != nil {
		return heapPair{}, err
	}
	return heapPair{server: s, local: localHeap()}, nil
}

// bareCost is the bare echo server's share of a delta: the whole
// process's growth on the bare run minus the clients' growth on the
// Parley run (same clients, same count).
func bareCost(bare, parley heapPair) memSample {
	return bare.server.minus(parley.local)
}

// hold keeps the sockets open for d (or until ctx ends) and returns how
// many closed meanwhile.
func hold(ctx context.Context, cs []*client, d time.Duration) int {
	select {
	case <-time.After(d):
	case <-ctx.Done():
	}
	dead := 0
	for _, c := range cs {
		if !c.alive() {
			dead++
		}
	}
	return dead
}
