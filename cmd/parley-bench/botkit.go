package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// The peer: a Botkit 4 echo bot on botbuilder-adapter-web (botkit/echo.js),
// which the turns scenario drives beside Parley and the bare echo server
// with the same generator, speaking the web adapter's frames. It runs in
// node from the botkit/ folder beside this file, whose packages
// botkit/setup.sh installs (or this tool, with npm ci, on first use).
// Without node, or when the packages cannot be installed, turns reports
// without it and says why in one line. -botkit=false leaves it out.

// dialect is how a peer's socket speaks where it differs from protocol
// §3: no connected frame, no sessions, message frames of its own.
type dialect struct {
	path    string                            // the WebSocket's path
	message func(user, content string) []byte // a user's message
	frame   func(data []byte) (frame, error)  // a server frame, read as the generator reads §3's
}

// botkitDialect is botbuilder-adapter-web's WebSocket format
// (lib/web_adapter.js, as its browser client speaks it): the client sends
// {type: "message", text, user, channel: "websocket"}, after which the
// socket is user's (the bot's replies to user go to it); the bot's
// messages come back as {type: "message", text}. Every frame is the
// bot's, so it is read as Parley's bot messages are: sender "bot",
// content the text.
var botkitDialect = &dialect{
	path: "/",
	message: func(user, content string) []byte {
		data, _ := json.Marshal(botkitMessage{Type: "message", Text: content, User: user, Channel: "websocket"})
		return data
	},
	frame: func(data []byte) (frame, error) {
		var m botkitMessage
		if err := json.Unmarshal(data, &m); err != nil {
			return frame{}, fmt.Errorf("bad frame %q: %w", data, err)
		}
		return frame{Type: m.Type, Sender: "bot", Content: m.Text}, nil
	},
}

type botkitMessage struct {
	Type    string `json:"type"`
	Text    string `json:"text"`
	User    string `json:"user,omitempty"`
	Channel string `json:"channel,omitempty"`
}

// dialPeer connects a socket of user to a peer. There is no handshake:
// the socket is the user's from its first message.
func dialPeer(ctx context.Context, t *target, user string) (*client, error) {
	u := "ws" + strings.TrimPrefix(t.base, "http") + t.dialect.path
	conn, _, err := websocket.Dial(ctx, u, nil)
	if err != nil {
		return nil, err
	}
	c := &client{conn: conn, user: user, dialect: t.dialect}
	c.start()
	return c, nil
}

// botkitSetup is a botkit/ folder ready to run echo.js.
type botkitSetup struct {
	node string
	dir  string
}

// prepareBotkit finds node and the botkit/ folder, and installs its
// packages when they are missing (npm ci: the versions of its
// package-lock.json). The error says why the peer cannot run.
func prepareBotkit(ctx context.Context, stderr io.Writer) (*botkitSetup, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, errors.New("node is not on PATH")
	}
	dir, err := findBotkitDir(ctx)
	if err != nil {
		return nil, err
	}
	if botkitInstalled(dir) {
		return &botkitSetup{node: node, dir: dir}, nil
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return nil, fmt.Errorf("%s has no node_modules and npm is not on PATH (run botkit/setup.sh)", dir)
	}
	fmt.Fprintf(stderr, "parley-bench: botkit: installing its packages (npm ci in %s)\n", dir)
	cmd := exec.CommandContext(ctx, npm, "ci")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("npm ci in %s: %v: %s", dir, err, lastLine(out))
	}
	if !botkitInstalled(dir) {
		return nil, fmt.Errorf("npm ci in %s left botkit or botbuilder-adapter-web missing", dir)
	}
	return &botkitSetup{node: node, dir: dir}, nil
}

// findBotkitDir is the botkit/ folder beside this package's source: go
// list's (found from anywhere in the module, as -spawn's go build is), or
// else where this file was compiled.
func findBotkitDir(ctx context.Context) (string, error) {
	var dirs []string
	if out, err := exec.CommandContext(ctx, "go", "list", "-f", "{{.Dir}}", "parley/cmd/parley-bench").Output(); err == nil {
		dirs = append(dirs, filepath.Join(strings.TrimSpace(string(out)), "botkit"))
	}
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		dirs = append(dirs, filepath.Join(filepath.Dir(file), "botkit"))
	}
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "echo.js")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("cmd/parley-bench/botkit/echo.js not found (run parley-bench inside the parley module)")
}

// botkitInstalled reports whether dir has echo.js and its packages.
func botkitInstalled(dir string) bool {
	for _, p := range []string{"echo.js", "node_modules/botkit/package.json", "node_modules/botbuilder-adapter-web/package.json"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			return false
		}
	}
	return true
}

func lastLine(out []byte) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// peer is a running echo.js, on 127.0.0.1:0.
type peer struct {
	cmd  *exec.Cmd
	base string // from "listening on http://…"
	log  *logTail
	exit chan error
}

// start runs echo.js and waits for its listening line.
func (s *botkitSetup) start(ctx context.Context, verbose bool) (*peer, error) {
	cmd := exec.Command(s.node, "echo.js", "0")
	cmd.Dir = s.dir
	p := &peer{cmd: cmd, log: &logTail{name: "botkit", verbose: verbose}, exit: make(chan error, 1)}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	base := make(chan string, 1)
	var pipes sync.WaitGroup
	pipes.Go(func() { p.log.scan(stdout, listeningLine, base) })
	pipes.Go(func() { p.log.scan(stderr, nil, nil) })
	go func() { pipes.Wait(); p.exit <- cmd.Wait() }()
	if err := p.await(ctx, base); err != nil {
		p.stop()
		return nil, err
	}
	return p, nil
}

func (p *peer) await(ctx context.Context, base chan string) error {
	select {
	case p.base = <-base:
	case err := <-p.exit:
		p.exit <- err
		return fmt.Errorf("botkit/echo.js exited before listening (%v):\n%s", err, p.log)
	case <-time.After(time.Minute):
		return fmt.Errorf("botkit/echo.js did not log its address in 1m:\n%s", p.log)
	case <-ctx.Done():
		return ctx.Err()
	}
	if err := checkLocalURL(p.base, "http"); err != nil {
		return fmt.Errorf("botkit/echo.js: %w", err)
	}
	return nil
}

// target drives the peer; it has no heap reading or metrics (turns
// needs neither).
func (p *peer) target() *target {
	return &target{
		name:    "botkit",
		base:    p.base,
		dialect: botkitDialect,
		cpu:     cpuOf(p.cmd.Process.Pid),
		token:   func(string) string { return "" },
		heap: func(context.Context) (memSample, error) {
			return memSample{}, errors.New("botkit: no heap reading")
		},
		gauge: func(context.Context, string) (float64, error) {
			return 0, errors.New("botkit: no metrics")
		},
	}
}

// stop ends node with SIGTERM (echo.js exits at once), killing it after
// 10s.
func (p *peer) stop() error {
	return terminate(p.cmd, p.exit, 10*time.Second, "botkit/echo.js")
}

// kill ends node at once (the hard deadline).
func (p *peer) kill() { p.cmd.Process.Kill() }
