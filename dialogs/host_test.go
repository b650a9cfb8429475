package dialogs_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"parley/dialogs"
	"parley/runtime"
)

// fakeHost is a runtime.DialogHost that records what the dialog does as
// lines: "talk: text", "suggest: a | b", "typing: true", "now",
// "random: 1 6", "wait: 1.5s". It is deterministic: NOW is clock
// (fixedClock by default), RANDOM(lo, hi) is hi unless rand is set, and
// Wait really waits (until its context ends). Its memory can be shared
// between hosts, as a user's memory is shared between dialogs.
type fakeHost struct {
	mu     sync.Mutex
	events []string
	mem    *memory
	fail   error             // returned by every call when set
	onTalk func(text string) // called after a TALK is recorded
	clock  time.Time         // zero: fixedClock
	rand   func(lo, hi int) int
	fast   bool // Wait returns at once
	// web answers HTTP; nil: status 200 and the body "METHOD URL".
	web func(req runtime.HTTPRequest) (runtime.HTTPResponse, error)
	// llm answers LLM; nil: "reply to " and the last message's content.
	llm func(req runtime.LLMRequest) (string, error)
	// history is what History returns (the last n of it).
	history []runtime.HistoryMessage
	// transfer is what Transfer returns; nil: resolved by Ann, note "done".
	transfer *runtime.TransferOutcome
	// url answers TalkFiles for a URL: nil or a refusal; nil: every URL
	// is fine.
	url func(src string) error

	replaying bool // what Replaying reports
}

func (h *fakeHost) Replaying() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.replaying
}

type memory struct {
	mu sync.Mutex
	kv map[string]string
}

func newMemory() *memory { return &memory{kv: map[string]string{}} }

func (h *fakeHost) record(format string, args ...any) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.events = append(h.events, fmt.Sprintf(format, args...))
	return h.fail
}

func (h *fakeHost) Talk(_ context.Context, text string) error {
	err := h.record("talk: %s", text)
	if h.onTalk != nil {
		h.onTalk(text)
	}
	return err
}

// TalkFiles records "talk: text [files/a.png (68 bytes) | https://… as
// a.png]". It reads each file of the bot's folder through its Open, as
// the runtime's host does, and an error of Open (or of url) is the
// TALK's: a TalkError, recorded as "talk refused: …".
func (h *fakeHost) TalkFiles(_ context.Context, text string, files []runtime.BotFile) error {
	parts := make([]string, len(files))
	for i, f := range files {
		var err error
		if f.Open == nil {
			parts[i] = f.Source + " as " + f.Name
			if h.url != nil {
				err = h.url(f.Source)
			}
		} else {
			var body io.ReadSeekCloser
			var size int64
			if body, size, err = f.Open(); err == nil {
				data, _ := io.ReadAll(body)
				body.Close()
				parts[i] = fmt.Sprintf("%s (%d bytes)", f.Source, size)
				if int64(len(data)) != size {
					parts[i] += fmt.Sprintf(" but %d read", len(data))
				}
			}
		}
		if err != nil {
			if herr := h.record("talk refused: %v", err); herr != nil {
				return herr
			}
			return &runtime.TalkError{Message: err.Error()}
		}
	}
	return h.record("talk: %s [%s]", text, strings.Join(parts, " | "))
}

func (h *fakeHost) Suggest(_ context.Context, list []string) error {
	return h.record("suggest: %s", strings.Join(list, " | "))
}

func (h *fakeHost) Typing(_ context.Context, active bool) error {
	return h.record("typing: %v", active)
}

func (h *fakeHost) GetMemory(_ context.Context, key string) (string, bool, error) {
	h.mem.mu.Lock()
	defer h.mem.mu.Unlock()
	v, ok := h.mem.kv[key]
	return v, ok, h.fail
}

func (h *fakeHost) SetMemory(_ context.Context, key, value string) error {
	h.mem.mu.Lock()
	defer h.mem.mu.Unlock()
	if value == "" {
		delete(h.mem.kv, key)
	} else {
		h.mem.kv[key] = value
	}
	return h.fail
}

func (h *fakeHost) Now(context.Context) (time.Time, error) {
	err := h.record("now")
	if h.clock.IsZero() {
		return fixedClock, err
	}
	return h.clock, err
}

func (h *fakeHost) Random(_ context.Context, lo, hi int) (int, error) {
	err := h.record("random: %d %d", lo, hi)
	if h.rand != nil {
		return h.rand(lo, hi), err
	}
	return hi, err
}

func (h *fakeHost) Wait(ctx context.Context, d time.Duration) error {
	if err := h.record("wait: %v", d); err != nil || h.fast {
		return err
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *fakeHost) Transfer(_ context.Context, reason string, timeout time.Duration) (runtime.TransferOutcome, error) {
	err := h.record("transfer: %q %v", reason, timeout)
	if h.transfer != nil {
		return *h.transfer, err
	}
	return runtime.TransferOutcome{Resolved: true, Status: runtime.TransferResolved, Agent: "Ann", Note: "done"}, err
}

func (h *fakeHost) LLM(_ context.Context, req runtime.LLMRequest) (string, error) {
	if err := h.record("%s", llmLine(req)); err != nil {
		return "", err
	}
	if h.llm != nil {
		return h.llm(req)
	}
	return "reply to " + req.Messages[len(req.Messages)-1].Content, nil
}

// llmLine shows a request as "llm: role: content | role: content" and
// its options.
func llmLine(req runtime.LLMRequest) string {
	parts := make([]string, len(req.Messages))
	for i, m := range req.Messages {
		parts[i] = m.Role + ": " + m.Content
	}
	line := "llm: " + strings.Join(parts, " | ")
	if req.Model != "" {
		line += " [model " + req.Model + "]"
	}
	if req.Temperature != nil {
		line += fmt.Sprintf(" [temperature %v]", *req.Temperature)
	}
	if req.MaxTokens != 0 {
		line += fmt.Sprintf(" [max_tokens %d]", req.MaxTokens)
	}
	if req.Silent {
		line += " [silent]"
	}
	return line
}

func (h *fakeHost) History(_ context.Context, n int) ([]runtime.HistoryMessage, error) {
	err := h.record("history: %d", n)
	return h.history[max(len(h.history)-n, 0):], err
}

func (h *fakeHost) HTTP(_ context.Context, req runtime.HTTPRequest) (runtime.HTTPResponse, error) {
	line := "http: " + req.Method + " " + req.URL
	if req.ContentType != "" || req.Body != "" {
		line += " [" + req.ContentType + "] " + req.Body
	}
	if err := h.record("%s", line); err != nil {
		return runtime.HTTPResponse{}, err
	}
	if h.web != nil {
		return h.web(req)
	}
	return runtime.HTTPResponse{Status: 200, Body: req.Method + " " + req.URL}, nil
}

// take returns the events recorded since the last take.
func (h *fakeHost) take() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	ev := h.events
	h.events = nil
	return ev
}

// chat is one dialog under test.
type chat struct {
	t    *testing.T
	d    runtime.Dialog
	host *fakeHost
	done bool // what the last Step of begin or say returned
}

// botFS makes a bots directory with one bot "t" whose start.lua is
// testdata/NAME.lua.
func botFS(t testing.TB, name string) fs.FS {
	t.Helper()
	src, err := os.ReadFile("testdata/" + name + ".lua")
	if err != nil {
		t.Fatal(err)
	}
	return sourceFS(string(src))
}

func sourceFS(src string) fs.FS {
	return fstest.MapFS{
		"t/bot.yaml":  {Data: []byte("name: Test\n")},
		"t/start.lua": {Data: []byte(src)},
	}
}

// fixedClock is the fake host's clock: 2025-03-14 09:26:53 UTC.
var fixedClock = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

func newEngine(t testing.TB, bots fs.FS, change ...func(*dialogs.Config)) *dialogs.Engine {
	t.Helper()
	cfg := dialogs.Config{
		Bots:   bots,
		Logger: slog.New(slog.NewTextHandler(testWriter{t}, nil)),
	}
	for _, f := range change {
		f(&cfg)
	}
	e, err := dialogs.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// startChat opens a dialog of bot with a fresh host; it is closed when the
// test ends.
func startChat(t *testing.T, e *dialogs.Engine, bot string, mem *memory) *chat {
	t.Helper()
	if mem == nil {
		mem = newMemory()
	}
	host := &fakeHost{mem: mem}
	s := &runtime.Session{ID: "s-" + runtime.SessionID(t.Name()), BotID: runtime.BotID(bot),
		UserID: "u1", UserName: "Ada L.", Anonymous: false}
	d, err := e.NewDialog(s, nil, host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	return &chat{t: t, d: d, host: host}
}

// begin runs the script to its first HEAR and checks what it did.
func (c *chat) begin(want ...string) {
	c.t.Helper()
	done, err := c.d.Step(context.Background(), nil)
	if err != nil {
		c.t.Fatalf("Step(nil): %v", err)
	}
	c.done = done
	c.expect(want...)
}

// say sends a user message and checks what the bot did in reply.
func (c *chat) say(text string, want ...string) {
	c.t.Helper()
	done, err := c.stepDone(text)
	if err != nil {
		c.t.Fatalf("Step(%q): %v", text, err)
	}
	c.done = done
	c.expect(want...)
}

// step sends a user message and returns Step's error; a Step that fails
// must say it is done.
func (c *chat) step(text string) error {
	c.t.Helper()
	done, err := c.stepDone(text)
	if err != nil && !done {
		c.t.Errorf("Step(%q) failed (%v) but is not done", text, err)
	}
	return err
}

// stepNil is Step(ctx, nil), checked as step does.
func (c *chat) stepNil(ctx context.Context) error {
	done, err := c.d.Step(ctx, nil)
	if err != nil && !done {
		c.t.Errorf("Step(nil) failed (%v) but is not done", err)
	}
	return err
}

func (c *chat) stepDone(text string) (bool, error) {
	return c.d.Step(context.Background(), userMsg(text))
}

func userMsg(text string) *runtime.Message {
	return &runtime.Message{Sender: runtime.SenderUser, Content: text}
}

func (c *chat) expect(want ...string) {
	c.t.Helper()
	got := c.host.take()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		c.t.Fatalf("bot did\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}

// testWriter sends log output to t.Log so that it shows with failures.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// logBuffer captures log lines for assertions.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// nopHost does nothing, for benchmarks.
type nopHost struct{}

func (nopHost) Talk(context.Context, string) error { return nil }
func (nopHost) TalkFiles(context.Context, string, []runtime.BotFile) error {
	return nil
}
func (nopHost) Suggest(context.Context, []string) error                 { return nil }
func (nopHost) Typing(context.Context, bool) error                      { return nil }
func (nopHost) Replaying() bool                                         { return false }
func (nopHost) GetMemory(context.Context, string) (string, bool, error) { return "", false, nil }
func (nopHost) SetMemory(context.Context, string, string) error         { return nil }
func (nopHost) Now(context.Context) (time.Time, error)                  { return fixedClock, nil }
func (nopHost) Random(_ context.Context, lo, _ int) (int, error)        { return lo, nil }
func (nopHost) Wait(context.Context, time.Duration) error               { return nil }
func (nopHost) Transfer(context.Context, string, time.Duration) (runtime.TransferOutcome, error) {
	return runtime.TransferOutcome{Status: runtime.TransferTimeout}, nil
}
func (nopHost) HTTP(context.Context, runtime.HTTPRequest) (runtime.HTTPResponse, error) {
	return runtime.HTTPResponse{Status: 204}, nil
}
func (nopHost) LLM(context.Context, runtime.LLMRequest) (string, error) { return "", nil }
func (nopHost) History(context.Context, int) ([]runtime.HistoryMessage, error) {
	return nil, nil
}
