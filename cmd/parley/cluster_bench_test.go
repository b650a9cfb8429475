package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/lib/pq"

	"parley/bots"
	"parley/rest"
	"parley/runtime"
	"parley/schema/schematest"
)

// BenchmarkCrossNode measures what it costs a user's second socket to be
// on another node (docs/benchmarks.md, "Several nodes"). Two in-process
// nodes share one PostgreSQL schema. Each conversation is with the echo
// bot and its dialog runs on node A, where socket 1 sends. A turn: socket
// 1 sends, socket 2 sees the user message (p50, p99) and the reply
// (reply-p50), then socket 1 sees both. msgs/s counts the message frames
// socket 2 received per second.
//
// Each case has two sides: same, with socket 2 on A too, and cross, with
// socket 2 on node B, which learns of each message from a NOTIFY and then
// reads the rows. They take b.N turns each, alternating every few turns
// so that both see the same noise; the cross/same metrics are the ratios.
// latency is one conversation, a turn at a time; users=K is K at once,
// each sending its next message as soon as its socket 2 has the reply.
// The same side pays for the cluster too (NOTIFY, leases).
//
//	PARLEY_TEST_DATABASE_URL='postgres://postgres@127.0.0.1:5432/test?sslmode=disable' \
//	  go test -run '^$' -bench CrossNode -benchtime 2000x -count 3 ./cmd/parley
func BenchmarkCrossNode(b *testing.B) {
	dbURL := schematest.URL(b) // skips without PARLEY_TEST_DATABASE_URL
	a, other := benchNode(b, dbURL, "bench-a"), benchNode(b, dbURL, "bench-b")
	n := 0
	newUser := func() string { n++; return fmt.Sprint("bench-user-", n) }
	for _, k := range []int{1, 16, 32} {
		name := "latency"
		if k > 1 {
			name = fmt.Sprintf("users=%d", k)
		}
		b.Run(name, func(b *testing.B) {
			same, cross := newSide(b, newUser, a, a, k), newSide(b, newUser, a, other, k)
			runSides(b, same, cross)
			reportSides(b, same, cross)
		})
	}
	for _, k := range []int{1, 16} {
		b.Run(fmt.Sprintf("parts/catch-up-reads/convs=%d", k), func(b *testing.B) { benchCatchUpReads(b, newUser, a, other, k) })
	}
	b.Run("parts/notify", func(b *testing.B) { benchNotify(b, dbURL) })
}

// benchNode starts one node of the database at dbURL with the built-in
// bots. Its warnings are printed with the benchmark's results: a failed
// catch-up or a lost lease explains an outlier.
func benchNode(b *testing.B, dbURL, id string) *Main {
	botsDir := b.TempDir()
	if err := os.CopyFS(botsDir, bots.FS); err != nil {
		b.Fatal(err)
	}
	c := Config{
		Addr: "127.0.0.1:0", Data: b.TempDir(), Bots: botsDir, JWTSecret: testSecret,
		RateLimits: "off", AnonymousTTL: 30 * time.Minute, TurnTimeout: 2 * time.Second,
		DialogIdleEvict: 5 * time.Minute, DatabaseURL: dbURL, NodeID: id, LeaseTime: 10 * time.Second,
	}
	logs := &syncBuffer{}
	b.Cleanup(func() {
		if s := logs.String(); s != "" {
			b.Logf("node %s logged:\n%s", id, s)
		}
	})
	m := &Main{Config: c, Log: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	if err := m.Run(context.Background()); err != nil {
		b.Fatalf("node %s: %v", id, err)
	}
	b.Cleanup(func() { m.Close() })
	return m
}

// roundTurns is how many turns each conversation of a side takes before
// the other side has its round.
const roundTurns = 4

// side is conversations whose sockets are on the same nodes, and what
// their turns measured.
type side struct {
	convs   []*benchConv
	times   []turnTimes
	elapsed time.Duration
}

// newSide opens k conversations from send (socket 1) to recv (socket 2).
func newSide(b *testing.B, newUser func() string, send, recv *Main, k int) *side {
	s := &side{}
	for range k {
		c := openConv(b, send, recv, newUser())
		b.Cleanup(c.close)
		s.convs = append(s.convs, c)
	}
	return s
}

// runSides takes b.N turns on each side, a round at a time; which side
// goes first changes every round.
func runSides(b *testing.B, same, cross *side) {
	b.ResetTimer()
	for r, done := 0, 0; done < b.N; r++ {
		n := min(roundTurns*len(same.convs), b.N-done)
		order := []*side{same, cross}
		if r%2 == 1 {
			order = []*side{cross, same}
		}
		for _, s := range order {
			if err := s.round(n); err != nil {
				b.Fatal(err)
			}
		}
		done += n
	}
	b.StopTimer()
}

// round takes n turns, spread over the side's conversations, which take
// theirs at the same time.
func (s *side) round(n int) error {
	k := len(s.convs)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	times := make([][]turnTimes, k)
	errs := make(chan error, k)
	var wg sync.WaitGroup
	start := time.Now()
	for i, c := range s.convs {
		wg.Go(func() {
			var err error
			if times[i], err = c.turns(ctx, n/k+btoi(i < n%k)); err != nil {
				errs <- err
				cancel() // the others stop at their next read
			}
		})
	}
	wg.Wait()
	s.elapsed += time.Since(start)
	s.times = append(s.times, slices.Concat(times...)...)
	close(errs)
	return <-errs
}

func btoi(v bool) int {
	if v {
		return 1
	}
	return 0
}

// turnTimes is when socket 2 saw a turn's messages, from the send.
type turnTimes struct{ user, reply time.Duration }

// quantile is the p-quantile of the side's user (or reply) latencies.
func (s *side) quantile(p float64, reply bool) float64 {
	d := make([]time.Duration, len(s.times))
	for i, t := range s.times {
		d[i] = t.user
		if reply {
			d[i] = t.reply
		}
	}
	return percentile(d, p)
}

// rate is the message frames socket 2 received per second.
func (s *side) rate() float64 { return float64(2*len(s.times)) / s.elapsed.Seconds() }

func reportSides(b *testing.B, same, cross *side) {
	metric := func(name, unit string, f func(*side) float64) {
		vs, vx := f(same), f(cross)
		b.ReportMetric(vs, name+"-same"+unit)
		b.ReportMetric(vx, name+"-cross"+unit)
		b.ReportMetric(vx/vs, name+"-cross/same")
	}
	metric("p50", "-µs", func(s *side) float64 { return s.quantile(0.50, false) })
	metric("p99", "-µs", func(s *side) float64 { return s.quantile(0.99, false) })
	metric("reply-p50", "-µs", func(s *side) float64 { return s.quantile(0.50, true) })
	metric("msgs/s", "", (*side).rate)
}

// percentile is the p-quantile of d in microseconds (nearest rank).
func percentile(d []time.Duration, p float64) float64 {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	i := max(int(math.Ceil(p*float64(len(d))))-1, 0)
	return float64(d[i].Nanoseconds()) / 1e3
}

// benchCatchUpReads times the reads of one wake-up naming k conversations
// on the receiving node (catchUp): their sessions and the messages it has
// not published, here one turn's two each. since-* is one FindSince, as
// the node reads them; two-reads-* is how it read them before, one
// conversation after the other, FindSession then FindMessages. The two
// take turns, so that both see the same noise. Nothing else runs
// meanwhile: a lower bound.
func benchCatchUpReads(b *testing.B, newUser func() string, send, recv *Main, k int) {
	ctx := context.Background()
	marks := make([]runtime.SeqMark, k)
	for i := range marks {
		c := openConv(b, send, recv, newUser())
		defer c.close()
		s, err := recv.store.FindSession(ctx, c.sid)
		if err != nil {
			b.Fatal(err)
		}
		marks[i] = runtime.SeqMark{SessionID: c.sid, AfterSeq: s.LastSeq - 2}
	}
	since := func() {
		list, err := recv.store.FindSince(ctx, marks, 25)
		if err != nil || len(list) != len(marks) {
			b.Fatalf("FindSince: %d conversations, %v; want %d", len(list), err, len(marks))
		}
		for _, n := range list {
			if len(n.Messages) != 2 {
				b.Fatalf("FindSince: %d messages; want 2", len(n.Messages))
			}
		}
	}
	twoReads := func() {
		for _, m := range marks {
			s, err := recv.store.FindSession(ctx, m.SessionID)
			if err != nil {
				b.Fatal(err)
			}
			f := runtime.MessageFilter{SessionID: m.SessionID, AfterSeq: m.AfterSeq, BeforeSeq: s.LastSeq + 1, Limit: 100}
			if list, err := recv.store.FindMessages(ctx, f); err != nil || len(list) != 2 {
				b.Fatalf("FindMessages: %d messages, %v; want 2", len(list), err)
			}
		}
	}
	timesSince, timesTwo := make([]time.Duration, 0, b.N), make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		for j := range 2 {
			start := time.Now()
			if (i+j)%2 == 0 {
				since()
				timesSince = append(timesSince, time.Since(start))
			} else {
				twoReads()
				timesTwo = append(timesTwo, time.Since(start))
			}
		}
	}
	b.StopTimer()
	p50s, p50t := percentile(timesSince, 0.50), percentile(timesTwo, 0.50)
	b.ReportMetric(p50s, "since-p50-µs")
	b.ReportMetric(percentile(timesSince, 0.99), "since-p99-µs")
	b.ReportMetric(p50t, "two-reads-p50-µs")
	b.ReportMetric(percentile(timesTwo, 0.99), "two-reads-p99-µs")
	b.ReportMetric(p50s/p50t, "since/two-reads")
}

// benchNotify times a NOTIFY from one connection to a LISTEN on another,
// as the nodes' wake-ups travel: p50/p99 from the statement to the
// notification, and after-commit-p50-µs from the statement's return
// (its commit) to the notification, which is the delay a wake-up adds
// to a commit the sending node pays anyway.
func benchNotify(b *testing.B, dbURL string) {
	db, err := sql.Open("postgres", dbURL)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	l := pq.NewListener(dbURL, 50*time.Millisecond, time.Second, nil)
	defer l.Close()
	channel := fmt.Sprint("parley-bench-", time.Now().UnixNano())
	if err := errors.Join(l.Listen(channel), db.Ping()); err != nil {
		b.Fatal(err)
	}
	total, after := make([]time.Duration, 0, b.N), make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		if _, err := db.Exec(`SELECT pg_notify($1, $2)`, channel, fmt.Sprint(i)); err != nil {
			b.Fatal(err)
		}
		committed := time.Now()
		select {
		case n := <-l.Notify:
			if n == nil || n.Extra != fmt.Sprint(i) {
				b.Fatalf("notification %v; want %d", n, i)
			}
		case <-time.After(waitFor):
			b.Fatalf("no notification within %v", waitFor)
		}
		total, after = append(total, time.Since(start)), append(after, time.Since(committed))
	}
	b.StopTimer()
	b.ReportMetric(percentile(total, 0.50), "p50-µs")
	b.ReportMetric(percentile(total, 0.99), "p99-µs")
	b.ReportMetric(percentile(after, 0.50), "after-commit-p50-µs")
}

// benchConv is one user's conversation with the echo bot: from sends,
// to is the socket timed.
type benchConv struct {
	sid      runtime.SessionID
	from, to *benchConn
	sent     int
}

// openConv starts a conversation on send and joins it from recv. The
// first turn is taken before the second socket joins, so the dialog runs
// (holds the lease) on send; a second turn warms up recv's side.
func openConv(b *testing.B, send, recv *Main, user string) *benchConv {
	tok, err := (&rest.JWT{Secret: []byte(testSecret)}).Sign(user, user, "user", time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	from, hello := dialBench(b, send, tok, "bot_id=echo")
	c := &benchConv{sid: runtime.SessionID(hello.SessionID), from: from, to: from}
	if _, err := c.turn(ctx); err != nil {
		b.Fatal(err)
	}
	c.to, _ = dialBench(b, recv, tok, "bot_id=echo&session_id="+hello.SessionID)
	if _, err := c.turn(ctx); err != nil {
		b.Fatal(err)
	}
	return c
}

// turns takes n turns, one after the other.
func (c *benchConv) turns(ctx context.Context, n int) ([]turnTimes, error) {
	times := make([]turnTimes, 0, n)
	for range n {
		t, err := c.turn(ctx)
		if err != nil {
			return times, err
		}
		times = append(times, t)
	}
	return times, nil
}

// turn sends one message on socket 1 and waits for it and the echo on
// socket 2, then on socket 1. Each socket must see exactly these two
// message frames, in this order.
func (c *benchConv) turn(ctx context.Context) (turnTimes, error) {
	c.sent++
	text := fmt.Sprint("m", c.sent)
	var t turnTimes
	start := time.Now()
	if err := c.from.say(ctx, text); err != nil {
		return t, err
	}
	if err := c.to.await(ctx, "user", text); err != nil {
		return t, err
	}
	t.user = time.Since(start)
	if err := c.to.await(ctx, "bot", text); err != nil {
		return t, err
	}
	t.reply = time.Since(start)
	if c.to == c.from {
		return t, nil
	}
	if err := c.from.await(ctx, "user", text); err != nil {
		return t, err
	}
	return t, c.from.await(ctx, "bot", text)
}

func (c *benchConv) close() {
	c.from.conn.CloseNow()
	c.to.conn.CloseNow()
}

// benchConn is a benchmark's socket, read on the caller's goroutine with
// a deadline on each read. Its message frames must follow each other in
// seq without gaps or repeats.
type benchConn struct {
	conn    *websocket.Conn
	node    string
	lastSeq int64
}

// dialBench connects to m's /ws and reads the connected frame.
func dialBench(b *testing.B, m *Main, tok, query string) (*benchConn, frame) {
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	url := strings.Replace(m.URL(), "http://", "ws://", 1) + "/ws?" + query
	h := http.Header{"Authorization": {"Bearer " + tok}}
	conn, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		b.Fatalf("dial %s: %v", url, err)
	}
	conn.SetReadLimit(1 << 20)
	f, err := readFrame(ctx, conn)
	if err != nil || f.Type != "status" || f.Status != "connected" {
		b.Fatalf("first frame from %s = %s, %v; want status connected", url, f.raw, err)
	}
	return &benchConn{conn: conn, node: m.Config.NodeID}, f
}

// say sends a user message.
func (c *benchConn) say(ctx context.Context, text string) error {
	ctx, cancel := context.WithTimeout(ctx, waitFor)
	defer cancel()
	msg := fmt.Sprintf(`{"type":"message","content":%q,"client_id":%q}`, text, text)
	if err := c.conn.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
		return fmt.Errorf("socket on %s: send %s: %w", c.node, text, err)
	}
	return nil
}

// await requires the next message frame to be from sender with text.
func (c *benchConn) await(ctx context.Context, sender, text string) error {
	f, err := c.nextMessage(ctx)
	if err != nil {
		return err
	}
	if f.Sender != sender || f.Content != text {
		return fmt.Errorf("socket on %s: got %s; want the %s message %q", c.node, f.raw, sender, text)
	}
	return nil
}

// nextMessage reads up to the next message frame, skipping typing and
// suggestion frames.
func (c *benchConn) nextMessage(ctx context.Context) (frame, error) {
	ctx, cancel := context.WithTimeout(ctx, waitFor)
	defer cancel()
	for {
		f, err := readFrame(ctx, c.conn)
		switch {
		case err != nil:
			return f, fmt.Errorf("socket on %s: %w", c.node, err)
		case f.Type == "error":
			return f, fmt.Errorf("socket on %s: error frame %s", c.node, f.raw)
		case f.Type != "message":
			continue
		case c.lastSeq > 0 && f.Seq != c.lastSeq+1:
			return f, fmt.Errorf("socket on %s: message %s after seq %d", c.node, f.raw, c.lastSeq)
		}
		c.lastSeq = f.Seq
		return f, nil
	}
}

// syncBuffer is a log destination that goroutines share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}
