package main

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The driver of a chaos run: starts the nodes and the clients, kills and
// restarts nodes, measures each takeover, then stops the clients and
// checks what is stored.

// chaosRun is one scenario's run.
type chaosRun struct {
	t          *testing.T
	sc         chaosScenario
	rng        *rand.Rand // the driver's; clients have their own
	seed       uint64
	nodes      []*chaosNode
	db         *sql.DB // PostgreSQL: which node runs which dialog
	convs      []*chaosConv
	clients    []*chaosClient
	progress   *progress // signalled on every message frame
	stallAfter time.Duration
	down       atomic.Int32 // the node killed and not yet back, or -1
	stopping   atomic.Bool
	failures   atomic.Int64

	immediate, late int
	takeovers       [2][]time.Duration // conversations whose dialog the killed node ran, by mode
	others          []time.Duration    // the rest
}

// chaosNode is a node: its process, restarted on the same data dir,
// address and node id.
type chaosNode struct {
	name string
	id   string // --node-id, PostgreSQL only
	k    *killable
}

func (r *chaosRun) fail(format string, args ...any) {
	r.failures.Add(1)
	r.t.Errorf(format, args...)
}

// liveURL is the address of a node that is up.
func (r *chaosRun) liveURL() string {
	for i, n := range r.nodes {
		if int32(i) != r.down.Load() {
			return n.k.url
		}
	}
	return r.nodes[0].k.url
}

func runChaos(t *testing.T, sc chaosScenario) {
	if testing.Short() {
		t.Skip("the chaos suite kills real processes for a while")
	}
	r := newChaosRun(t, sc)
	cycles := sc.cycles
	if *chaosCycles > 0 {
		cycles = *chaosCycles
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(cycles)*30*time.Second+2*time.Minute)
	defer cancel()
	var senders, viewers sync.WaitGroup
	r.startClients(ctx, &senders, &viewers)
	r.warmUp(ctx)
	for i, immediate := range r.restartModes(cycles) {
		r.cycle(ctx, i+1, immediate)
	}
	r.stopping.Store(true)
	r.drain(cancel, &senders, &viewers)
	for _, c := range r.clients {
		c.drop()
	}
	r.check()
	r.summary()
}

func newChaosRun(t *testing.T, sc chaosScenario) *chaosRun {
	seed := *chaosSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (-chaos.seed %d repeats the choices)", seed, seed)
	r := &chaosRun{t: t, sc: sc, seed: seed, rng: rand.New(rand.NewPCG(seed, 0)),
		progress: &progress{ch: make(chan struct{}, 1)}}
	r.down.Store(-1)
	r.stallAfter = r.bound(1500*time.Millisecond) + 10*time.Second
	if sc.nodes == 0 {
		r.sqliteNode()
	} else {
		r.postgresNodes()
	}
	for _, n := range r.nodes {
		n.k.start()
	}
	return r
}

// sqliteNode is one node on SQLite in its own data dir.
func (r *chaosRun) sqliteNode() {
	bots := r.t.TempDir()
	writeBot(r.t, bots, "count", "name: Count\ndefault: true\n", countingBot)
	k := newKillable(r.t, "--bots", bots, "--rate-limits", "off")
	k.name = "[sqlite] "
	r.nodes = []*chaosNode{{name: "sqlite", k: k}}
}

// postgresNodes are sc.nodes nodes on one PostgreSQL schema.
func (r *chaosRun) postgresNodes() {
	c := newCluster(r.t)
	writeBot(r.t, c.bots, "count", "name: Count\n", countingBot)
	for i := range r.sc.nodes {
		name := fmt.Sprintf("node-%c", 'a'+i)
		k := c.newNode(name, "--lease-time", r.sc.lease.String())
		k.name = "[" + name + "] "
		r.nodes = append(r.nodes, &chaosNode{name: name, id: c.nodeID(name), k: k})
	}
	db, err := sql.Open("postgres", c.dbURL)
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { db.Close() })
	r.db = db
}

// bound is how long after a kill every conversation must answer again.
func (r *chaosRun) bound(downtime time.Duration) time.Duration {
	if r.sc.nodes == 0 {
		return downtime + takeoverMargin
	}
	return r.sc.lease + takeoverMargin
}

// startClients starts a sender per user, spread over the nodes, and the
// viewers, each on another node than its user's sender.
func (r *chaosRun) startClients(ctx context.Context, senders, viewers *sync.WaitGroup) {
	for i := range r.sc.users {
		user := fmt.Sprintf("u%d", i)
		cv := &chaosConv{user: user, token: tokenFor(r.t, "chaos-"+user), progress: r.progress,
			sidReady: make(chan struct{}), finished: make(chan struct{})}
		r.convs = append(r.convs, cv)
		s := newChaosClient(r, cv, user, false, i%len(r.nodes), r.seed)
		r.clients = append(r.clients, s)
		senders.Add(1)
		go func() { defer senders.Done(); s.runSender(ctx) }()
		if i < r.sc.viewers {
			v := newChaosClient(r, cv, user+"/viewer", true, (i+1)%len(r.nodes), r.seed)
			r.clients = append(r.clients, v)
			viewers.Add(1)
			go func() { defer viewers.Done(); v.runViewer(ctx) }()
		}
	}
}

// warmUp waits until every conversation has its first answer.
func (r *chaosRun) warmUp(ctx context.Context) {
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for _, cv := range r.convs {
		for {
			if seq, _ := cv.delivered(); seq >= 2 {
				break
			}
			if !r.progress.waitFor(wctx, r.progress.n.Load()+1) {
				r.t.Fatalf("%s: no answer within 30s of the start", cv.user)
			}
		}
	}
}

// restartModes is, per cycle, whether the killed node comes back at once:
// half the cycles each way, in random order.
func (r *chaosRun) restartModes(cycles int) []bool {
	modes := make([]bool, cycles)
	for i := range modes {
		modes[i] = i%2 == 0
	}
	r.rng.Shuffle(len(modes), func(i, j int) { modes[i], modes[j] = modes[j], modes[i] })
	return modes
}

// between returns a random duration in [lo, hi).
func (r *chaosRun) between(lo, hi time.Duration) time.Duration {
	return lo + time.Duration(r.rng.Int64N(int64(hi-lo)))
}
