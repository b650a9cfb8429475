// Command parley-bench is a load generator for Parley over real
// WebSockets. It drives a Parley server (spawned with -spawn, or running,
// with -url) and, with the same code, a bare coder/websocket echo server
// it runs itself (echo.go), so that every number comes with its ratio to
// the bare baseline measured in the same run; turns also drives a peer,
// a Botkit 4 echo bot in node (botkit.go). It talks to 127.0.0.1
// only, and every scenario is bounded by -duration, -turns and a hard
// -deadline.
//
// Start at bench.go (one scenario run); each scenario has its own file.
// docs/benchmarks.md has the commands and the results.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run parses the flags, runs each scenario -count times and prints the
// medians. It returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	o, err := parseOptions(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "parley-bench:", err)
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.Deadline)
	defer cancel()
	b := newBench(o, stderr)
	defer b.cleanup()
	// The context ends the scenarios at the deadline; this ends the
	// process if one of them does not notice.
	watchdog := time.AfterFunc(o.Deadline+30*time.Second, func() {
		b.kill()
		fmt.Fprintln(stderr, "parley-bench: hard deadline passed; killed")
		os.Exit(3)
	})
	defer watchdog.Stop()
	if err := b.prepare(ctx); err != nil {
		fmt.Fprintln(stderr, "parley-bench:", err)
		return 1
	}
	for _, name := range o.Scenarios {
		r, err := b.repeat(ctx, name)
		if err != nil {
			fmt.Fprintf(stderr, "parley-bench: %s: %v\n", name, err)
			return 1
		}
		if o.JSON {
			writeJSON(stdout, r)
		} else {
			writeTable(stdout, r)
		}
	}
	return 0
}
