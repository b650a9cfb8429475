package main

import (
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// newTestLogger sends log lines to t.Log while the test runs, and keeps
// them so that tests can assert on what the server logged.
func newTestLogger(t *testing.T) (*slog.Logger, *testWriter) {
	w := &testWriter{t: t}
	t.Cleanup(w.stop)
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug})), w
}

type testWriter struct {
	mu    sync.Mutex
	t     *testing.T
	done  bool
	lines []string
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	line := strings.TrimRight(string(p), "\n")
	w.lines = append(w.lines, line)
	if !w.done {
		w.t.Log(line)
	}
	return len(p), nil
}

// find returns the first logged line that contains every part.
func (w *testWriter) find(parts ...string) (string, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
next:
	for _, l := range w.lines {
		for _, p := range parts {
			if !strings.Contains(l, p) {
				continue next
			}
		}
		return l, true
	}
	return "", false
}

func (w *testWriter) stop() {
	w.mu.Lock()
	w.done = true
	w.mu.Unlock()
}
