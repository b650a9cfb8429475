package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// The crash test (issue 4): several users drive multi-step dialogs (HEAR
// with validation, MENU, SET/GET, NOW/RANDOM, WAIT) on the real binary,
// which is killed with SIGKILL at random points and restarted. Every
// dialog must finish with the answers it was given and the NOW/RANDOM
// values it showed before the crashes; no acknowledged message may be
// lost, none duplicated, and every socket sees a gapless seq.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("the crash test runs the real binary for several seconds")
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))

	srv := newKillable(t, "--bots", testBots(t), "--rate-limits", "off")
	srv.start()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	const users, rounds = 6, 10
	progress := &progress{ch: make(chan struct{}, 1)}
	clients := make([]*durableClient, users)
	var wg sync.WaitGroup
	errs := make(chan error, users)
	for i := range clients {
		clients[i] = &durableClient{t: t, url: srv.url, token: tokenFor(t, fmt.Sprint("crash-user-", i)), rounds: rounds, progress: progress}
		wg.Add(1)
		go func(c *durableClient) {
			defer wg.Done()
			errs <- c.play(ctx)
		}(clients[i])
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()

	// Kill at random points of the dialogs' progress (counted in message
	// frames the clients have seen), so that every kill lands mid-dialog:
	// in a turn, in a WAIT, between a message and its acknowledgement.
	total := users * (1 + 2*(4+rounds))
	kills := 0
	for _, at := range killPoints(rng, 4, total/10, total*8/10) {
		if !progress.waitFor(ctx, at) {
			t.Fatalf("the dialogs stalled at %d of %d frames", progress.n.Load(), total)
		}
		srv.kill()
		kills++
		t.Logf("kill %d after %d of %d frames", kills, progress.n.Load(), total)
		srv.start()
	}
	select {
	case <-finished:
	case <-ctx.Done():
		t.Fatal("the dialogs did not finish")
	}
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	for _, c := range clients {
		c.checkHistory(t)
	}
	t.Logf("%d kills; every dialog finished", kills)
}

// killPoints returns n sorted random points in [lo, hi).
func killPoints(rng *rand.Rand, n, lo, hi int) []int64 {
	pts := make([]int64, n)
	for i := range pts {
		pts[i] = int64(lo + rng.IntN(hi-lo))
	}
	slices.Sort(pts)
	return pts
}

// progress counts message frames seen by all clients.
type progress struct {
	n  atomic.Int64
	ch chan struct{} // signalled on each frame
}

func (p *progress) add() {
	p.n.Add(1)
	select {
	case p.ch <- struct{}{}:
	default:
	}
}

// waitFor returns once n frames were seen, false if ctx ends first.
func (p *progress) waitFor(ctx context.Context, n int64) bool {
	for p.n.Load() < n {
		select {
		case <-p.ch:
		case <-ctx.Done():
			return false
		}
	}
	return true
}

// killable is the real binary on a fixed port, started and SIGKILLed.
type killable struct {
	t    *testing.T
	args []string
	url  string
	cmd  *exec.Cmd
	name string // prefixes its log lines when set
}

func newKillable(t *testing.T, args ...string) *killable {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	k := &killable{t: t, url: "http://" + addr}
	k.args = append([]string{"serve", "--addr", addr, "--data", t.TempDir(), "--jwt-secret", testSecret}, args...)
	k.args = append(k.args, databaseArgs(t)...)
	t.Cleanup(k.kill)
	return k
}

// start runs the server and returns once it answers /readyz.
func (k *killable) start() {
	k.t.Helper()
	k.cmd = exec.Command(parleyBinary(k.t), k.args...)
	k.cmd.Stderr = &logSink{t: k.t, prefix: k.name}
	if err := k.cmd.Start(); err != nil {
		k.t.Fatal(err)
	}
	waitUntil(k.t, func() bool {
		resp, err := http.Get(k.url + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
}

func (k *killable) kill() {
	if k.cmd != nil && k.cmd.Process != nil {
		k.cmd.Process.Kill()
		k.cmd.Wait()
	}
}

// durableClient plays one user's dialog with the durable bot across
// crashes: it reconnects with after=SEQ and re-sends an unacknowledged
// message with the same client_id, as a real client would.
type durableClient struct {
	t     *testing.T
	url   string
	token string

	sid     string
	conn    *websocket.Conn
	frames  chan frame
	lastSeq int64
	seen    map[int64]frame  // every message frame by seq
	acked   map[string]int64 // client_id → seq
	bot     []frame          // bot messages not yet expected
	n       int              // messages sent

	rounds   int
	progress *progress
}

// play runs the whole dialog and checks what the bot says at each step.
func (c *durableClient) play(ctx context.Context) error {
	c.seen, c.acked = map[int64]frame{}, map[string]int64{}
	start, err := c.expectBot(ctx, "start ")
	if err != nil {
		return err
	}
	f := strings.Fields(start.Content) // start T0 R0
	steps := []struct{ say, want string }{
		{"abc", "a number, please"},
		{"42", "pick a color"},
		{"green", "saved 42 green"},
		{"hello", fmt.Sprintf("done hello 42 green %s %s ", f[1], f[2])},
	}
	for i := range c.rounds {
		steps = append(steps, struct{ say, want string }{fmt.Sprint("x", i), fmt.Sprint("again x", i)})
	}
	for _, s := range steps {
		if err := c.say(ctx, s.say); err != nil {
			return err
		}
		if _, err := c.expectBot(ctx, s.want); err != nil {
			return err
		}
	}
	return nil
}

// say sends content until the server acknowledges it.
func (c *durableClient) say(ctx context.Context, content string) error {
	c.n++
	id := fmt.Sprint("m", c.n)
	for {
		if _, ok := c.acked[id]; ok {
			return nil
		}
		if c.conn == nil {
			if err := c.connect(ctx); err != nil {
				return err
			}
			continue // connect may have lost the connection again
		}
		msg := fmt.Sprintf(`{"type":"message","content":%q,"client_id":%q}`, content, id)
		if err := c.conn.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
			c.drop()
			continue
		}
		for c.conn != nil {
			if _, ok := c.acked[id]; ok {
				return nil
			}
			if err := c.pump(ctx); err != nil {
				return err
			}
		}
	}
}

// expectBot returns the next bot message, which must start with prefix.
func (c *durableClient) expectBot(ctx context.Context, prefix string) (frame, error) {
	for len(c.bot) == 0 {
		if c.conn == nil {
			if err := c.connect(ctx); err != nil {
				return frame{}, err
			}
		}
		if err := c.pump(ctx); err != nil {
			return frame{}, err
		}
	}
	f := c.bot[0]
	c.bot = c.bot[1:]
	if !strings.HasPrefix(f.Content, prefix) {
		return f, fmt.Errorf("user %s: bot said %q, want %q…", c.sid, f.Content, prefix)
	}
	return f, nil
}

// connect (re)connects, retrying while the server is down.
func (c *durableClient) connect(ctx context.Context) error {
	url := strings.Replace(c.url, "http://", "ws://", 1) + "/ws?bot_id=durable"
	if c.sid != "" {
		url += fmt.Sprintf("&session_id=%s&after=%d", c.sid, c.lastSeq)
	}
	for {
		dctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		conn, _, err := websocket.Dial(dctx, url, &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + c.token}}})
		cancel()
		if err == nil {
			c.conn, c.frames = conn, make(chan frame, 256)
			go readFrames(ctx, conn, c.frames)
			return c.hello(ctx)
		}
		if ctx.Err() != nil {
			return fmt.Errorf("user %s: cannot reconnect: %v", c.sid, err)
		}
		time.Sleep(20 * time.Millisecond) // the server is restarting: retry
	}
}

// hello reads the connected frame.
func (c *durableClient) hello(ctx context.Context) error {
	select {
	case f, ok := <-c.frames:
		if !ok {
			c.drop()
			return nil
		}
		if f.Status != "connected" || (c.sid != "" && f.SessionID != c.sid) {
			return fmt.Errorf("first frame %s", f.raw)
		}
		c.sid = f.SessionID
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func readFrames(ctx context.Context, conn *websocket.Conn, out chan<- frame) {
	defer close(out)
	for {
		f, err := readFrame(ctx, conn)
		if err != nil {
			return
		}
		out <- f
	}
}

// pump handles one frame, or notices that the connection dropped.
func (c *durableClient) pump(ctx context.Context) error {
	select {
	case f, ok := <-c.frames:
		if !ok {
			c.drop()
			return nil
		}
		return c.handle(f)
	case <-ctx.Done():
		return fmt.Errorf("user %s: %v waiting after seq %d", c.sid, ctx.Err(), c.lastSeq)
	}
}

func (c *durableClient) drop() {
	if c.conn != nil {
		c.conn.CloseNow()
	}
	c.conn = nil
}

// handle checks one frame against everything seen so far.
func (c *durableClient) handle(f frame) error {
	switch f.Type {
	case "error":
		return fmt.Errorf("user %s: error frame %s", c.sid, f.raw)
	case "message":
	default:
		return nil
	}
	if f.Seq <= c.lastSeq {
		// Only the answer to a re-sent client_id may repeat a seq.
		if old := c.seen[f.Seq]; f.ClientID == "" || old.ClientID != f.ClientID || old.Content != f.Content {
			return fmt.Errorf("user %s: duplicate frame %s after seq %d", c.sid, f.raw, c.lastSeq)
		}
		return nil
	}
	if f.Seq != c.lastSeq+1 {
		return fmt.Errorf("user %s: frame %s after seq %d: a gap", c.sid, f.raw, c.lastSeq)
	}
	c.lastSeq, c.seen[f.Seq] = f.Seq, f
	c.progress.add()
	if f.ClientID != "" {
		c.acked[f.ClientID] = f.Seq
	}
	if f.Sender == "bot" {
		c.bot = append(c.bot, f)
	}
	return nil
}

// checkHistory compares the stored conversation with what the client saw:
// the same messages, each once.
func (c *durableClient) checkHistory(t *testing.T) {
	var h historyBody
	api(t, &testServer{urlOverride: c.url}, "GET", "/api/conversations/"+c.sid+"/history?limit=100", c.token, nil, &h)
	if int64(len(h.Messages)) != c.lastSeq {
		t.Errorf("user %s: history has %d messages, the client saw %d", c.sid, len(h.Messages), c.lastSeq)
	}
	users := map[string]int{}
	for _, m := range h.Messages {
		if seen := c.seen[m.Seq]; seen.Content != m.Content || seen.Sender != m.Sender {
			t.Errorf("user %s: stored seq %d %s %q, seen %s %q", c.sid, m.Seq, m.Sender, m.Content, seen.Sender, seen.Content)
		}
		if m.Sender == "user" {
			users[m.Content]++
		}
	}
	for content, n := range users {
		if n != 1 {
			t.Errorf("user %s: %q stored %d times", c.sid, content, n)
		}
	}
}

// A WAIT pending when the server dies fires after the restart, at its
// deadline, with nobody sending anything.
func TestWaitSurvivesCrash(t *testing.T) {
	dir := testBots(t)
	writeBot(t, dir, "waiter", "name: Waiter\n", `TALK("waiting")
WAIT(1)
TALK("woke")
HEAR()
`)
	srv := newKillable(t, "--bots", dir)
	srv.start()
	ts := &testServer{urlOverride: srv.url}
	tok := tokenFor(t, "wanda")
	c, hello := mustDial(t, ts, "bot_id=waiter", tok)
	c.expectMessage("bot", "waiting")
	srv.kill() // during the WAIT: its deadline is on disk
	srv.start()
	back, _ := mustDial(t, ts, "after=1&session_id="+hello.SessionID, tok)
	back.expectMessage("bot", "woke")
}
