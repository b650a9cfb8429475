package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
	"time"
)

// bench runs scenarios: for each run, a fresh Parley (with -spawn), a
// fresh bare echo server and, for turns, a fresh Botkit peer.
type bench struct {
	o      options
	stderr io.Writer
	binDir string // where -spawn builds parley
	bin    string
	secret string
	files  uint64       // RLIMIT_NOFILE, for this process and the spawned server
	botkit *botkitSetup // nil: no peer

	mu      sync.Mutex
	current *spawned // the server of the run in progress, for the watchdog
	peer    *peer    // the peer of the run in progress, likewise
}

func newBench(o options, stderr io.Writer) *bench {
	return &bench{o: o, stderr: stderr, secret: o.JWTSecret}
}

// prepare raises the open-files limit, readies the Botkit peer and builds
// parley when needed.
func (b *bench) prepare(ctx context.Context) error {
	var err error
	if b.files, err = raiseOpenFiles(1 << 20); err != nil {
		return fmt.Errorf("raising the open files limit: %w", err)
	}
	if b.o.Botkit && slices.Contains(b.o.Scenarios, "turns") {
		if b.botkit, err = prepareBotkit(ctx, b.stderr); err != nil {
			fmt.Fprintf(b.stderr, "parley-bench: botkit: %v; the turns report has no botkit column (-botkit=false turns the peer off)\n", err)
		}
	}
	if !b.o.Spawn {
		return nil
	}
	if b.secret == "" {
		b.secret = randomHex(16)
	}
	if b.bin = b.o.Parley; b.bin != "" {
		return nil
	}
	if b.binDir, err = os.MkdirTemp("", "parley-bench-bin"); err != nil {
		return err
	}
	b.bin, err = buildParley(ctx, b.binDir)
	return err
}

// repeat runs scenario name -count times and folds the runs into medians.
func (b *bench) repeat(ctx context.Context, name string) (*report, error) {
	var runs []*report
	for range b.o.Count {
		r, err := b.runOnce(ctx, name)
		if err != nil {
			return nil, err
		}
		runs = append(runs, r)
	}
	return medianReport(runs), nil
}

// runOnce starts the servers, runs the scenario against them, and stops
// them.
func (b *bench) runOnce(ctx context.Context, name string) (*report, error) {
	parley, stop, err := b.parley(ctx, name)
	if err != nil {
		return nil, err
	}
	defer stop()
	echo, err := startEcho()
	if err != nil {
		return nil, err
	}
	defer echo.close()
	e := &env{o: b.o, parley: parley, bare: echo.target(), tag: randomHex(4), backend: b.backend(), files: b.files}
	if name == "turns" && b.botkit != nil {
		p, err := b.botkit.start(ctx, b.o.Verbose)
		if err != nil {
			return nil, fmt.Errorf("starting the botkit peer (-botkit=false leaves it out): %w", err)
		}
		b.setPeer(p)
		defer func() {
			b.setPeer(nil)
			if err := p.stop(); err != nil {
				fmt.Fprintf(b.stderr, "parley-bench: stopping botkit: %v\n", err)
			}
		}()
		e.botkit = p.target()
	}
	return scenarioFuncs[name](ctx, e)
}

// parley is the Parley target of one run: a spawned server, or -url.
func (b *bench) parley(ctx context.Context, scenario string) (*target, func(), error) {
	ttl := b.o.Deadline + time.Hour
	if !b.o.Spawn {
		return parleyTarget(b.o.URL, b.o.PprofURL, b.secret, ttl), func() {}, nil
	}
	var extra []string
	drop := func() error { return nil }
	if b.o.DatabaseURL != "" {
		dbURL, dropSchema, err := freshSchema(ctx, b.o.DatabaseURL) // pgschema.go
		if err != nil {
			return nil, nil, err
		}
		extra, drop = append(extra, "--database-url", dbURL), dropSchema
	}
	if scenario == "evicted" {
		extra = append(extra, "--dialog-idle-evict", b.o.Evict.String())
	}
	s, err := spawn(ctx, b.bin, b.secret, extra, b.o.Verbose)
	if err != nil {
		drop()
		return nil, nil, err
	}
	b.setCurrent(s)
	stop := func() {
		b.setCurrent(nil)
		if err := s.stop(); err != nil {
			fmt.Fprintf(os.Stderr, "parley-bench: stopping parley: %v\n", err)
		}
		if err := drop(); err != nil {
			fmt.Fprintf(os.Stderr, "parley-bench: dropping the run's schema: %v\n", err)
		}
	}
	t := parleyTarget(s.base, s.pprof, b.secret, ttl)
	t.cpu = cpuOf(s.cmd.Process.Pid)
	return t, stop, nil
}

func (b *bench) backend() string {
	switch {
	case !b.o.Spawn:
		return "server at " + b.o.URL
	case b.o.DatabaseURL != "":
		return "postgres"
	}
	return "sqlite"
}

func (b *bench) setCurrent(s *spawned) {
	b.mu.Lock()
	b.current = s
	b.mu.Unlock()
}

func (b *bench) setPeer(p *peer) {
	b.mu.Lock()
	b.peer = p
	b.mu.Unlock()
}

// kill ends the spawned server and peer at once (the hard deadline).
func (b *bench) kill() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.current != nil {
		b.current.kill()
	}
	if b.peer != nil {
		b.peer.kill()
	}
	b.cleanup()
}

func (b *bench) cleanup() {
	if b.binDir != "" {
		os.RemoveAll(b.binDir)
	}
}

func randomHex(n int) string {
	p := make([]byte, n)
	rand.Read(p)
	return hex.EncodeToString(p)
}
