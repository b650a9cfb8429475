package main

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// scenarios are the names -scenario accepts, in the order "all" runs them.
var scenarios = []string{"turns", "fanout", "idle", "parked", "evicted", "history", "floor"}

// options are the command line, validated once by parseOptions.
type options struct {
	Scenarios   []string
	Spawn       bool
	Parley      string // -parley: a built binary (default: go build)
	DatabaseURL string // -database-url, passed to the spawned server
	URL         string // -url: a running server
	PprofURL    string // -pprof: its --pprof-addr, for heap readings
	JWTSecret   string
	N           int // sockets, conversations or readers (0: the scenario's default)
	K           int // fanout: devices
	Duration    time.Duration
	Turns       int     // most turns, sends or requests per target (0: no limit)
	Rate        float64 // turns: open-loop total rate, turns/s
	FindPeak    bool
	Botkit      bool          // turns: also drive the Botkit peer (botkit.go)
	Evict       time.Duration // the server's --dialog-idle-evict (evicted)
	Count       int           // repeat each scenario, report medians
	JSON        bool
	Deadline    time.Duration
	Verbose     bool
}

// parseOptions reads and checks the command line.
func parseOptions(args []string, stderr io.Writer) (options, error) {
	var o options
	var scen string
	fs := flag.NewFlagSet("parley-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&scen, "scenario", "turns", "comma-separated: "+strings.Join(scenarios, ", ")+", or all")
	fs.BoolVar(&o.Spawn, "spawn", false, "build and start a parley server on 127.0.0.1:0 for each scenario")
	fs.StringVar(&o.Parley, "parley", "", "with -spawn: the parley binary to run (default: go build parley/cmd/parley)")
	fs.StringVar(&o.DatabaseURL, "database-url", "", "with -spawn: PostgreSQL URL for the server, which gets a new schema of that database for each run, dropped after (default: SQLite in a temp dir)")
	fs.StringVar(&o.URL, "url", "", "a running server, http://127.0.0.1:PORT (instead of -spawn)")
	fs.StringVar(&o.PprofURL, "pprof", "", "with -url: the server's --pprof-addr as http://127.0.0.1:PORT (idle, parked, evicted)")
	fs.StringVar(&o.JWTSecret, "jwt-secret", "", "the server's HS256 secret (required with -url; random with -spawn)")
	fs.IntVar(&o.N, "n", 0, "sockets (turns, idle), conversations (parked, evicted) or readers (history); 0: the scenario's default")
	fs.IntVar(&o.K, "k", 50, "fanout: devices (sockets) of the one conversation")
	fs.DurationVar(&o.Duration, "duration", 10*time.Second, "how long each target is measured (idle: how long the sockets are held)")
	fs.IntVar(&o.Turns, "turns", 0, "most turns, sends or requests per target and phase (0: until -duration)")
	fs.Float64Var(&o.Rate, "rate", 0, "turns: open loop at this total rate (turns/s) instead of closed loop")
	fs.BoolVar(&o.FindPeak, "find-peak", false, "turns: closed loop, then open loop on both targets at half of Parley's closed-loop rate")
	fs.BoolVar(&o.Botkit, "botkit", true, "turns: also drive a Botkit 4 echo bot (cmd/parley-bench/botkit, in node) and report parley / botkit")
	fs.DurationVar(&o.Evict, "evict", 2*time.Second, "evicted: the server's --dialog-idle-evict (passed to it with -spawn)")
	fs.IntVar(&o.Count, "count", 1, "run each scenario this many times and report medians")
	fs.BoolVar(&o.JSON, "json", false, "print one JSON object per scenario instead of a table")
	fs.DurationVar(&o.Deadline, "deadline", 15*time.Minute, "hard deadline of the whole run")
	fs.BoolVar(&o.Verbose, "v", false, "copy the spawned server's log to stderr")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	o.Scenarios = splitScenarios(scen)
	return o, o.validate()
}

func splitScenarios(s string) []string {
	if s == "all" {
		return slices.Clone(scenarios)
	}
	var out []string
	for _, name := range strings.Split(s, ",") {
		if name = strings.TrimSpace(name); name != "" {
			out = append(out, name)
		}
	}
	return out
}
