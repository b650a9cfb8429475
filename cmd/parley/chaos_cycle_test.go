package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// One kill/restart cycle, and the end of the run.

// cycle kills a random node at a random moment and restarts it, at once
// (within half a second, under its old id, as systemd would) or late
// (after the lease time, once its conversations have moved; on SQLite,
// after one to two seconds). Every conversation must then answer within
// the bound; the clients that had to leave the node go back to it.
func (r *chaosRun) cycle(ctx context.Context, i int, immediate bool) {
	time.Sleep(r.between(300*time.Millisecond, 2*time.Second)) // when the kill falls is the chaos
	v := r.rng.IntN(len(r.nodes))
	node := r.nodes[v]
	downtime := r.between(0, 500*time.Millisecond)
	switch {
	case immediate:
		r.immediate++
	case r.sc.nodes == 0:
		downtime = r.between(time.Second, 2*time.Second)
		r.late++
	default:
		downtime = r.sc.lease + r.between(200*time.Millisecond, time.Second)
		r.late++
	}
	ran := r.runnersOf(node)
	killAt := time.Now()
	node.k.kill()
	r.down.Store(int32(v))
	watches := r.watch(ran, killAt)
	alone := len(r.nodes) == 1 // nobody else can take over: back after the downtime
	if immediate || alone {
		time.Sleep(downtime)
		r.restart(v)
	}
	r.awaitTakeover(i, node, immediate, watches, killAt, r.bound(downtime))
	if !immediate && !alone {
		time.Sleep(time.Until(killAt.Add(downtime)))
		r.restart(v)
	}
}

// mode indexes chaosRun.takeovers: 1 after an immediate restart, 0 after
// a late one.
func mode(immediate bool) int {
	if immediate {
		return 1
	}
	return 0
}

var modeNames = [2]string{"late", "immediate"}

// runnersOf is the set of conversations whose dialog node runs: on
// PostgreSQL those it holds the lease of, on SQLite all.
func (r *chaosRun) runnersOf(node *chaosNode) map[string]bool {
	set := map[string]bool{}
	if r.db == nil {
		for _, cv := range r.convs {
			set[cv.sid] = true
		}
		return set
	}
	rows, err := r.db.Query(`SELECT id FROM sessions WHERE runner_node = $1`, node.id)
	if err != nil {
		r.t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			r.t.Fatal(err)
		}
		set[id] = true
	}
	return set
}

// watch starts waiting for every conversation's first answer stored after
// the kill.
func (r *chaosRun) watch(ran map[string]bool, killAt time.Time) []*takeoverWatch {
	var ws []*takeoverWatch
	for _, cv := range r.convs {
		cv.mu.Lock()
		w := &takeoverWatch{conv: cv, since: cv.maxSeq, affected: ran[cv.sid], killAt: killAt, done: make(chan struct{})}
		cv.watch = w
		cv.mu.Unlock()
		ws = append(ws, w)
	}
	return ws
}

// restart starts node v again on its data dir, address and node id, and
// sends the clients that had to leave it back to it at once, as a
// balancer would once it answers (on PostgreSQL, while the other nodes
// may still be writing to their conversations).
func (r *chaosRun) restart(v int) {
	r.nodes[v].k.start()
	r.down.Store(-1)
	for _, c := range r.clients {
		if c.origin == v {
			c.move(v)
		}
	}
}

// awaitTakeover waits for every conversation's first answer after the
// kill, somewhat past the bound to measure how late a late one is, and
// fails for each that came after the bound or not at all.
func (r *chaosRun) awaitTakeover(i int, node *chaosNode, immediate bool, ws []*takeoverWatch, killAt time.Time, bound time.Duration) {
	deadline := time.NewTimer(time.Until(killAt.Add(bound + 10*time.Second)))
	defer deadline.Stop()
	expired := false
	for _, w := range ws {
		if expired {
			break
		}
		select {
		case <-w.done:
		case <-deadline.C:
			expired = true
		}
	}
	var ran, rest []time.Duration
	for _, w := range ws {
		w.conv.mu.Lock()
		w.conv.watch = nil
		replied, seq, by := w.replied, w.seq, w.by
		w.conv.mu.Unlock()
		d := replied.Sub(killAt)
		switch {
		case replied.IsZero():
			r.fail("kill %d of %s: %s (%s) did not answer within %v (its dialog ran there: %v; highest seq delivered at the kill %d; %s)",
				i, node.name, w.conv.user, w.conv.sid, bound+10*time.Second, w.affected, w.since, r.runnerNow(w.conv.sid))
			continue
		case d > bound:
			r.fail("kill %d of %s at %s: %s (%s) answered only after %v (bound %v): seq %d received by %s (its dialog ran there: %v; highest seq delivered at the kill %d; %s)",
				i, node.name, killAt.Format("15:04:05.000"), w.conv.user, w.conv.sid, d.Round(time.Millisecond), bound, seq, by, w.affected, w.since, r.runnerNow(w.conv.sid))
		}
		if w.affected {
			ran = append(ran, d)
		} else {
			rest = append(rest, d)
		}
	}
	r.takeovers[mode(immediate)] = append(r.takeovers[mode(immediate)], ran...)
	r.others = append(r.others, rest...)
	r.t.Logf("kill %d of %s at %s (%s restart): %d conversations ran there, first answers after %v (p50) %v (max); the other %d: %v (max)",
		i, node.name, killAt.Format("15:04:05.000"), modeNames[mode(immediate)], len(ran), quantile(ran, 0.5).Round(time.Millisecond),
		quantile(ran, 1).Round(time.Millisecond), len(rest), quantile(rest, 1).Round(time.Millisecond))
}

// runnerNow describes who holds a conversation's lease (PostgreSQL).
func (r *chaosRun) runnerNow(sid string) string {
	if r.db == nil {
		return "one node"
	}
	var node, fence string
	err := r.db.QueryRow(`SELECT coalesce(runner_node, '(none)'), coalesce(runner_fence::text, '') FROM sessions WHERE id = $1`, sid).Scan(&node, &fence)
	if err != nil {
		return "runner: " + err.Error()
	}
	return fmt.Sprintf("now run by %s, fence %s", node, fence)
}

// drain waits for the senders to finish their last message and the
// viewers to see everything, then fails for those that did not.
func (r *chaosRun) drain(cancel context.CancelFunc, senders, viewers *sync.WaitGroup) {
	done := make(chan struct{})
	go func() { senders.Wait(); viewers.Wait(); close(done) }()
	select {
	case <-done:
		return
	case <-time.After(2*r.stallAfter + 10*time.Second):
	}
	cancel()
	<-done
	r.fail("the clients did not finish within %v of the end", 2*r.stallAfter+10*time.Second)
}

// check compares every conversation's history with its clients.
func (r *chaosRun) check() {
	for _, cv := range r.convs {
		var clients []*chaosClient
		for _, c := range r.clients {
			if c.conv == cv {
				clients = append(clients, c)
			}
		}
		r.checkConversation(cv, clients)
	}
}

// summary logs the run's numbers.
func (r *chaosRun) summary() {
	var acked, connects, transient int
	var worst time.Duration
	var worstMsg string
	for _, c := range r.clients {
		acked += c.sent
		connects += c.connects
		transient += c.transient
		if c.maxLatency > worst {
			worst, worstMsg = c.maxLatency, c.name+" "+c.maxLatMsg
		}
	}
	backend := "sqlite, 1 node"
	if r.sc.nodes > 0 {
		backend = fmt.Sprintf("postgres, %d nodes, lease %v", r.sc.nodes, r.sc.lease)
	}
	all := append(slices.Clone(r.takeovers[0]), r.takeovers[1]...)
	r.t.Logf("summary (%s): %d users, %d messages acked and answered; %d kills (%d immediate, %d late restarts); takeover p50 %v max %v over %d conversations the killed node ran (after an immediate restart: p50 %v max %v; after a late one: p50 %v max %v; others max %v); slowest answer %v (%s); %d connects, %d transient error frames; %d failures",
		backend, r.sc.users, acked, r.immediate+r.late, r.immediate, r.late,
		quantile(all, 0.5).Round(time.Millisecond), quantile(all, 1).Round(time.Millisecond), len(all),
		quantile(r.takeovers[1], 0.5).Round(time.Millisecond), quantile(r.takeovers[1], 1).Round(time.Millisecond),
		quantile(r.takeovers[0], 0.5).Round(time.Millisecond), quantile(r.takeovers[0], 1).Round(time.Millisecond),
		quantile(r.others, 1).Round(time.Millisecond), worst.Round(time.Millisecond), strings.TrimSpace(worstMsg),
		connects, transient, r.failures.Load())
}
