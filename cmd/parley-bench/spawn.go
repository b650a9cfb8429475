package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"
)

// spawned is a parley server this tool started: its own temp data
// directory, rate limits off, pprof on, on 127.0.0.1:0.
type spawned struct {
	cmd   *exec.Cmd
	dir   string
	base  string // from "listening on http://…"
	pprof string // from "profiles on http://…/debug/pprof/"
	log   *logTail
	exit  chan error
}

var (
	listeningLine = regexp.MustCompile(`listening on (http://\S+)`)
	profilesLine  = regexp.MustCompile(`profiles on http://([^/\s"]+)/debug/pprof/`)
)

// buildParley compiles cmd/parley into dir (once per run).
func buildParley(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "parley")
	out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "parley/cmd/parley").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build parley/cmd/parley: %v\n%s", err, out)
	}
	return bin, nil
}

// spawn starts bin with a fresh data directory and extra flags, and waits
// for its listening and profiles lines.
func spawn(ctx context.Context, bin, secret string, extra []string, verbose bool) (*spawned, error) {
	dir, err := os.MkdirTemp("", "parley-bench-data")
	if err != nil {
		return nil, err
	}
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data", dir, "--rate-limits", "off",
		"--jwt-secret", secret, "--pprof-addr", "127.0.0.1:0"}, extra...)
	s := &spawned{cmd: exec.Command(bin, args...), dir: dir, log: &logTail{name: "parley", verbose: verbose}, exit: make(chan error, 1)}
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	base, pprof := make(chan string, 1), make(chan string, 1)
	var pipes sync.WaitGroup
	pipes.Go(func() { s.log.scan(stdout, listeningLine, base) })
	pipes.Go(func() { s.log.scan(stderr, profilesLine, pprof) })
	go func() { pipes.Wait(); s.exit <- s.cmd.Wait() }()
	if err := s.await(ctx, base, pprof); err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}

// await waits for both addresses, and checks they are on 127.0.0.1.
func (s *spawned) await(ctx context.Context, base, pprof chan string) error {
	timeout := time.After(2 * time.Minute)
	for s.base == "" || s.pprof == "" {
		select {
		case u := <-base:
			s.base = u
		case a := <-pprof:
			s.pprof = "http://" + a
		case err := <-s.exit:
			s.exit <- err
			return fmt.Errorf("parley exited before listening (%v):\n%s", err, s.log)
		case <-timeout:
			return fmt.Errorf("parley did not log its addresses in 2m:\n%s", s.log)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if err := checkLocalURL(s.base, "http"); err != nil {
		return fmt.Errorf("the spawned server: %w", err)
	}
	return checkLocalURL(s.pprof, "http")
}

// stop drains the server with SIGTERM (killing it after 20s) and removes
// its data directory.
func (s *spawned) stop() error {
	defer os.RemoveAll(s.dir)
	return terminate(s.cmd, s.exit, 20*time.Second, "parley")
}

// terminate sends cmd SIGTERM and waits for its exit (which exit carries,
// and keeps for the next reader), killing it after grace.
func terminate(cmd *exec.Cmd, exit chan error, grace time.Duration, name string) error {
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-exit:
		exit <- err
		return err
	case <-time.After(grace):
		cmd.Process.Kill()
		return fmt.Errorf("%s did not exit %v after SIGTERM; killed", name, grace)
	}
}

// kill ends the server at once (the hard deadline).
func (s *spawned) kill() {
	s.cmd.Process.Kill()
	os.RemoveAll(s.dir)
}

// logTail keeps a spawned process's last lines, to show when it fails.
type logTail struct {
	name    string // the prefix of its lines copied to stderr (-v)
	verbose bool
	mu      sync.Mutex
	lines   []string
}

// scan reads r to its end, sending the first match of re's group to found
// (when re is not nil).
func (l *logTail) scan(r io.Reader, re *regexp.Regexp, found chan<- string) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	sent := false
	for sc.Scan() {
		line := sc.Text()
		if re != nil && !sent {
			if m := re.FindStringSubmatch(line); m != nil {
				found <- m[1]
				sent = true
			}
		}
		l.add(line)
	}
	io.Copy(io.Discard, r)
}

func (l *logTail) add(line string) {
	if l.verbose {
		fmt.Fprintln(os.Stderr, l.name+":", line)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, line)
	if len(l.lines) > 40 {
		l.lines = l.lines[len(l.lines)-40:]
	}
}

func (l *logTail) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}
