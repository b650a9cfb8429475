package main

import (
	"bufio"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"parley/ws"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// parleyBinary builds cmd/parley once per test run.
func parleyBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "parley-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "parley")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = &buildError{err, string(out)}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }

var listenLine = regexp.MustCompile(`^listening on (http://\S+)$`)

// startProcess runs the real binary with args (and the test's database,
// see databaseArgs) and waits for its "listening on" line.
func startProcess(t *testing.T, args ...string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(parleyBinary(t), append(args, databaseArgs(t)...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = &logSink{t: t}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := listenLine.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case u := <-found:
		return cmd, u
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not log its listening line")
	}
	return nil, ""
}

// logSink passes a process's stderr to the test log, each write prefixed
// (the chaos tests name the node a line came from).
type logSink struct {
	t      *testing.T
	prefix string
}

func (s *logSink) Write(p []byte) (int, error) {
	s.t.Log(s.prefix + strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// SIGTERM drains: sockets get status shutting_down and close 1001, SSE
// streams get it and end (http.Server.Shutdown would wait for them until
// its deadline, and exit 1), and the process exits 0.
func TestSIGTERMDrains(t *testing.T) {
	data := t.TempDir()
	cmd, base := startProcess(t, "serve", "--addr", "127.0.0.1:0", "--data", data, "--jwt-secret", testSecret)
	u, _ := url.Parse(base)
	s := &testServer{urlOverride: u.String()}

	c, _ := mustDial(t, s, "", "")
	c.expectMessage("bot", "…")
	tok := tokenFor(t, "sid")
	_, hello := mustDial(t, s, "bot_id=echo", tok)
	sse := mustSSE(t, base, "/api/conversations/"+hello.SessionID+"/events", tok)
	sse.expect("status", func(e sseEvent) bool { return e.frame.Status == "connected" })
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	c.expect("status", func(f frame) bool { return f.Status == "shutting_down" })
	c.expectClose(websocket.StatusGoingAway)
	sse.expect("status", func(e sseEvent) bool { return e.frame.Status == "shutting_down" })
	sse.expectEnd()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
}

// Anonymous conversations idle for anonymous_ttl are deleted with their
// messages: resuming one is then not_found (4004).
func TestAnonymousExpiry(t *testing.T) {
	s := MustRunMain(t, func(c *Config) { c.AnonymousTTL = 200 * time.Millisecond })
	c, hello := mustDial(t, s, "", "")
	c.expectMessage("bot", "…")
	c.conn.Close(websocket.StatusNormalClosure, "")

	q := url.Values{"session_id": {hello.SessionID}, "resume_token": {hello.ResumeToken}}.Encode()
	deadline := time.Now().Add(waitFor)
	for {
		r, _, err := dialWS(t, s, q, nil)
		if err != nil {
			t.Fatal(err)
		}
		f := r.next()
		if f.Type == "error" {
			if f.Code != "not_found" {
				t.Fatalf("resume of an expired conversation: %s", f.raw)
			}
			r.expectClose(ws.CloseNotFound)
			return
		}
		r.conn.Close(websocket.StatusNormalClosure, "")
		if time.Now().After(deadline) {
			t.Fatal("the idle anonymous conversation was not deleted")
		}
		// Poll slower than the TTL: an open socket keeps the conversation
		// alive, so each probe must be brief and rare.
		time.Sleep(500 * time.Millisecond)
	}
}
