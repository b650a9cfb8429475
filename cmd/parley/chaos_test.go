package main

import (
	"flag"
	"testing"
	"time"
)

// The chaos suite (issue 14): real parley processes, SIGKILLed at random
// moments and restarted, while many users talk to a counting bot over the
// real wire as a durable client would (chaos_client_test.go). One SQLite
// node restarted on its data dir; two and three PostgreSQL nodes, each
// killed node restarted either at once under its old node id (as systemd
// would) or only after the lease time, when its conversations have moved.
//
// What must hold, whatever the kills (checked as frames arrive, after
// each kill, and against the stored history at the end):
//   - every acknowledged message is stored exactly once, at the seq of its
//     acknowledgement, and answered exactly once and in order (the bot's
//     count is the message's position, and the answer quotes it);
//   - seq is gapless, on every socket and in the history, and what each
//     client saw is the history;
//   - a connected frame's last_seq covers every seq any node already
//     delivered to a client of the conversation;
//   - after a kill, every conversation answers again within the lease
//     time plus takeoverMargin (SQLite: the downtime plus the margin);
//   - no socket waits for a stored message: a client without a frame for
//     the stall time reports what the history holds.
//
//	go test ./cmd/parley -run Chaos -v                          # CI: a few cycles each
//	go test ./cmd/parley -run ChaosSQLite -chaos.cycles 20 -v
//	PARLEY_TEST_DATABASE_URL='postgres://postgres@127.0.0.1:5432/test?sslmode=disable' \
//		go test ./cmd/parley -run ChaosPostgres -chaos.cycles 8 -v
//
// The seed of the random choices (which node, when, immediate or late) is
// logged; -chaos.seed repeats them (the server's timing is its own).

var (
	chaosCycles = flag.Int("chaos.cycles", 0, "kill/restart cycles of each chaos scenario (0: the scenario's default, a few)")
	chaosSeed   = flag.Uint64("chaos.seed", 0, "seed of the chaos scenarios' random choices (0: from the clock)")
)

// countingBot counts in a local variable: its answer to a user's k-th
// message is "r<k>:<message>" only if the dialog took every message
// once and in order, and a dialog rebuilt on another node or after a
// restart kept its count (one that started over would count from 1).
const countingBot = `local n = 0
while true do
  local m = HEAR()
  n = n + 1
  TALK("r" .. n .. ":" .. m)
end
`

// takeoverMargin is how much longer than the lease (on SQLite, than the
// downtime) a conversation may take to answer after a kill: one orphan
// sweep (lease/10), rebuilding the dialog, the client's reconnect, and a
// loaded two-core machine.
const takeoverMargin = 3 * time.Second

// chaosScenario is one set-up of the suite.
type chaosScenario struct {
	nodes   int           // PostgreSQL nodes; 0 is one SQLite node
	lease   time.Duration // --lease-time (PostgreSQL)
	users   int
	viewers int // this many users also read on a second device, on another node
	cycles  int // kill/restart cycles unless -chaos.cycles says
}

func TestChaosSQLite(t *testing.T) {
	runChaos(t, chaosScenario{users: 8, viewers: 4, cycles: 3})
}

func TestChaosPostgresTwoNodes(t *testing.T) {
	runChaos(t, chaosScenario{nodes: 2, lease: 3 * time.Second, users: 16, viewers: 4, cycles: 2})
}

func TestChaosPostgresThreeNodes(t *testing.T) {
	runChaos(t, chaosScenario{nodes: 3, lease: 2 * time.Second, users: 12, viewers: 3, cycles: 2})
}
