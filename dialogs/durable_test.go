package dialogs_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"parley/dialogs"
	"parley/runtime"
)

// TestStepDone: Step says done when the script returned or failed, not
// when it waits in HEAR.
func TestStepDone(t *testing.T) {
	t.Parallel()
	e := newEngine(t, sourceFS(`
		TALK "a"
		local x = HEAR()
		if x == "fail" then error("boom") end
		if x == "host" then NOW() end
		TALK "bye"`))
	for _, tc := range []struct {
		input    string
		done     bool
		hostFail bool
		errKind  runtime.Kind // "" = no error
	}{
		{"", false, false, ""}, // the first HEAR
		{"ok", true, false, ""},
		{"fail", true, false, runtime.KindDialog},
		{"host", true, true, runtime.KindUnavailable},
	} {
		c := startChat(t, e, "t", nil)
		if done, err := c.d.Step(t.Context(), nil); done || err != nil {
			t.Fatalf("first Step: done %v, err %v", done, err)
		}
		if tc.input == "" {
			continue
		}
		if tc.hostFail {
			c.host.fail = runtime.Errorf(runtime.KindUnavailable, "commit failed")
		}
		done, err := c.d.Step(t.Context(), userMsg(tc.input))
		if done != tc.done || (tc.errKind == "") != (err == nil) || (err != nil && !runtime.IsKind(err, tc.errKind)) {
			t.Errorf("%q: done %v, err %v; want done %v, kind %q", tc.input, done, err, tc.done, tc.errKind)
		}
		// Nothing to hear after the end: nil starts again at the first HEAR.
		c.host.fail = nil
		if done, err := c.d.Step(t.Context(), nil); done || err != nil {
			t.Errorf("%q: Step after the end: done %v, err %v", tc.input, done, err)
		}
	}
	// A nil Step while waiting in HEAR.
	c := startChat(t, e, "t", nil)
	c.begin("talk: a")
	if done, err := c.d.Step(t.Context(), nil); done || err != nil {
		t.Errorf("nil Step while waiting: done %v, err %v", done, err)
	}
	c.d.Close()
	if done, err := c.d.Step(t.Context(), nil); !done || err == nil {
		t.Errorf("Step after Close: done %v, err %v", done, err)
	}
}

// TestEverythingFromTheHost: the time, random numbers, pauses and
// relative dates a script sees are exactly what its host gives it.
func TestEverythingFromTheHost(t *testing.T) {
	t.Parallel()
	c := startChat(t, newEngine(t, sourceFS(`
		TALK(NOW())
		TALK(RANDOM(1, 6) .. " " .. math.random(3) .. " " .. math.random(5, 9) .. " " .. math.random())
		WAIT(2.5)
		TYPING(1.25)
		TALK(HEAR{as = "date"})
		TALK(HEAR{as = "date"})`)), "t", nil)
	c.host.clock = time.Date(1999, 12, 31, 23, 59, 58, 0, time.FixedZone("X", -3600))
	draws := []int{4, 2, 7, 1 << 29}
	c.host.rand = func(lo, hi int) int { n := draws[0]; draws = draws[1:]; return n }
	c.host.fast = true
	c.begin(
		"now", "talk: 2000-01-01T00:59:58Z", // the host's time, in UTC
		"random: 1 6", "random: 1 3", "random: 5 9", "random: 0 1073741823",
		"talk: 4 2 7 0.5",
		"wait: 2.5s",
		"typing: true", "wait: 1.25s", "typing: false",
	)
	c.say("tomorrow", "now", "talk: 2000-01-02")
	c.say("31.1.2024", "talk: 2024-01-31")
}

// TestHostOutOfRange: a RANDOM the host answers outside the bounds is
// the host's fault (a journal written for other bounds), not a number to
// go on with.
func TestHostOutOfRange(t *testing.T) {
	t.Parallel()
	c := startChat(t, newEngine(t, sourceFS(`TALK(RANDOM(1, 6))`)), "t", nil)
	c.host.rand = func(lo, hi int) int { return 7 }
	done, err := c.d.Step(t.Context(), nil)
	if !done || !runtime.IsKind(err, runtime.KindDialog) || !strings.Contains(err.Error(), "answered 7") {
		t.Errorf("done %v, err %v", done, err)
	}
	var se *dialogs.ScriptError
	if errors.As(err, &se) {
		t.Errorf("the host's fault reported as the script's: %v", se)
	}
	c.expect("random: 1 6")
}

// TestHostErrorEndsRun: an error of any host call ends the run with that
// error, which the script cannot catch, and no further host call is made.
func TestHostErrorEndsRun(t *testing.T) {
	t.Parallel()
	for _, kw := range []string{`NOW()`, `RANDOM(1, 2)`, `math.random()`, `WAIT(1)`, `TYPING(1)`,
		`GET("k")`, `SET("k", 1)`, `SUGGEST("a")`, `TALK("x")`, `HTTP_GET("https://a.example/")`} {
		c := startChat(t, newEngine(t, sourceFS(`
			HEAR()
			for i = 1, 3 do pcall(function() `+kw+` end) end
			TALK "after"`)), "t", nil)
		c.begin()
		diverged := errors.New("the script diverged from its journal")
		c.host.fail = diverged
		c.host.fast = true
		done, err := c.stepDone("go")
		if !done || !errors.Is(err, diverged) {
			t.Errorf("%s: done %v, err %v", kw, done, err)
		}
		if got := c.host.take(); len(got) > 1 {
			t.Errorf("%s: the host was called after it failed: %q", kw, got)
		}
	}
}

// TestHostTimeIsFree: time in the host (a slow commit) does not count
// against the Lua time budget.
func TestHostTimeIsFree(t *testing.T) {
	t.Parallel()
	e := newEngine(t, sourceFS(`for i = 1, 4 do TALK("x" .. i) end`),
		func(c *dialogs.Config) { c.TurnTimeout = 100 * time.Millisecond })
	c := startChat(t, e, "t", nil)
	c.host.onTalk = func(string) { time.Sleep(60 * time.Millisecond) }
	c.begin("talk: x1", "talk: x2", "talk: x3", "talk: x4")
}

// TestTurnCallLimit: host calls do not spend the budget, so their number
// is capped per turn; a new turn starts a new count.
func TestTurnCallLimit(t *testing.T) {
	t.Parallel()
	c := startChat(t, newEngine(t, sourceFS(`
		for i = 1, 999 do NOW() end
		HEAR()
		for i = 1, 999 do NOW() end
		HEAR()
		while true do RANDOM(1, 2) end`)), "t", nil)
	c.begin(strings.Split(strings.Repeat("now\n", 999), "\n")[:999]...)
	c.say("x", strings.Split(strings.Repeat("now\n", 999), "\n")[:999]...)
	se := scriptError(t, c.step("y"))
	if se.Line != 6 || !strings.Contains(se.Err.Error(), "more than 1000 keyword calls") {
		t.Errorf("got %v at line %d", se.Err, se.Line)
	}
	if n := len(c.host.take()); n != 1000 {
		t.Errorf("%d host calls in the last turn, want 1000", n)
	}
}

// journalHost is a DialogHost that journals like the runtime's: when
// recording it answers NOW and RANDOM with the real clock and a real
// random source; when replaying it answers every call from the journal
// and fails on the first call that differs from it.
type journalHost struct {
	mu      sync.Mutex
	calls   []string // "kind arg → result"
	journal []string // replaying: what to answer, in order
	mem     map[string]string
}

func (h *journalHost) Replaying() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.journal) > 0
}

func (h *journalHost) do(kind, arg string, live func() string) (string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var result string
	if h.journal != nil {
		if len(h.journal) == 0 {
			return "", fmt.Errorf("diverged: %s %s past the end of the journal", kind, arg)
		}
		want := h.journal[0]
		h.journal = h.journal[1:]
		k, r, _ := strings.Cut(want, " → ")
		if k != kind+" "+arg {
			return "", fmt.Errorf("diverged: %s %s where the journal has %s", kind, arg, k)
		}
		result = r
	} else if live != nil {
		result = live()
	}
	h.calls = append(h.calls, kind+" "+arg+" → "+result)
	return result, nil
}

func (h *journalHost) Talk(_ context.Context, text string) error {
	_, err := h.do("talk", text, nil)
	return err
}

func (h *journalHost) TalkFiles(_ context.Context, text string, files []runtime.BotFile) error {
	srcs := make([]string, len(files))
	for i, f := range files {
		srcs[i] = f.Source
	}
	_, err := h.do("talk", text+" ["+strings.Join(srcs, "|")+"]", nil)
	return err
}

func (h *journalHost) Suggest(_ context.Context, list []string) error {
	_, err := h.do("suggest", strings.Join(list, "|"), nil)
	return err
}

func (h *journalHost) Typing(_ context.Context, active bool) error {
	_, err := h.do("typing", strconv.FormatBool(active), nil)
	return err
}

func (h *journalHost) GetMemory(_ context.Context, key string) (string, bool, error) {
	v, err := h.do("get", key, func() string { return h.mem[key] })
	return v, v != "", err
}

func (h *journalHost) SetMemory(_ context.Context, key, value string) error {
	_, err := h.do("set", key+"="+value, func() string { h.mem[key] = value; return "" })
	return err
}

func (h *journalHost) Now(context.Context) (time.Time, error) {
	v, err := h.do("now", "", func() string { return time.Now().UTC().Format(time.RFC3339Nano) })
	if err != nil {
		return time.Time{}, err
	}
	return time.Parse(time.RFC3339Nano, v)
}

func (h *journalHost) Random(_ context.Context, lo, hi int) (int, error) {
	v, err := h.do("random", fmt.Sprint(lo, hi), func() string { return strconv.Itoa(lo + rand.IntN(hi-lo+1)) })
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(v)
}

func (h *journalHost) Wait(_ context.Context, d time.Duration) error {
	_, err := h.do("wait", d.String(), nil)
	return err
}

func (h *journalHost) Transfer(_ context.Context, reason string, timeout time.Duration) (runtime.TransferOutcome, error) {
	v, err := h.do("transfer", reason+" "+timeout.String(), func() string { return strconv.Itoa(rand.IntN(1000)) })
	return runtime.TransferOutcome{Resolved: true, Status: runtime.TransferResolved, Note: v}, err
}

func (h *journalHost) LLM(_ context.Context, req runtime.LLMRequest) (string, error) {
	v, err := h.do("llm", llmLine(req), func() string { return strconv.Itoa(rand.IntN(1000)) })
	return v, err
}

func (h *journalHost) History(_ context.Context, n int) ([]runtime.HistoryMessage, error) {
	v, err := h.do("history", strconv.Itoa(n), func() string { return strconv.Itoa(rand.IntN(1000)) })
	return []runtime.HistoryMessage{{Role: runtime.LLMUser, Content: v, Sender: runtime.SenderUser}}, err
}

func (h *journalHost) HTTP(_ context.Context, req runtime.HTTPRequest) (runtime.HTTPResponse, error) {
	v, err := h.do("http", req.Method+" "+req.URL+" "+req.Body, func() string { return strconv.Itoa(rand.IntN(1000)) })
	return runtime.HTTPResponse{Status: 200, Body: v}, err
}

// TestReplayIsIdentical runs a script that touches every source of
// nondeterminism, then replays it many times, each in a fresh Lua state,
// from its journal: each replay must make exactly the same host calls
// with the same arguments (and so say exactly the same things).
func TestReplayIsIdentical(t *testing.T) {
	t.Parallel()
	e := newEngine(t, botFS(t, "replay"))
	inputs := []string{"", "Ada", "today", "B"}
	run := func(h *journalHost) {
		t.Helper()
		d, err := e.NewDialog(&runtime.Session{ID: "s", BotID: "t", UserID: "u", UserName: "Ada"}, nil, h)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		for i, in := range inputs {
			var m *runtime.Message
			if in != "" {
				m = userMsg(in)
			}
			done, err := d.Step(t.Context(), m)
			if err != nil || done != (i == len(inputs)-1) {
				t.Fatalf("Step(%q): done %v, err %v", in, done, err)
			}
		}
	}
	first := &journalHost{mem: map[string]string{}}
	run(first)
	if len(first.calls) < 20 {
		t.Fatalf("the run made only %d host calls: %q", len(first.calls), first.calls)
	}
	for _, want := range []string{"talk table: 1 function: 2 function: 2 table: 3 function: 4 →",
		`(unknown option "zz" (as, choices, retry))`, // the first bad key in pairs() order
		"(a function cannot be stored)",
		`http POST https://api.example.com/n {"at":"`} {
		if !strings.Contains(strings.Join(first.calls, "\n"), want) {
			t.Errorf("no call %q in\n%s", want, strings.Join(first.calls, "\n"))
		}
	}
	for i := range 20 {
		again := &journalHost{journal: first.calls, mem: map[string]string{}}
		run(again)
		if len(again.journal) != 0 || strings.Join(again.calls, "\n") != strings.Join(first.calls, "\n") {
			t.Fatalf("replay %d differs:\n%s\nfirst run:\n%s", i, strings.Join(again.calls, "\n"), strings.Join(first.calls, "\n"))
		}
	}
}

// TestOldVersion: a dialog made with an older version of a bot's script
// runs that version, while Script returns the current one.
func TestOldVersion(t *testing.T) {
	t.Parallel()
	const cur = "TALK 'v2' while true do TALK('v2 ' .. HEAR()) end"
	const old = "TALK 'v1' while true do TALK('v1 ' .. HEAR()) end"
	e := newEngine(t, sourceFS(cur))
	sc, err := e.Script("t")
	if err != nil || sc.Bot != "t" || sc.Source != cur || sc.Version != dialogs.VersionOf(cur) || len(sc.Version) != 32 {
		t.Fatalf("Script: %+v, %v", sc, err)
	}
	v1 := &runtime.Script{Bot: "t", Version: dialogs.VersionOf(old), Source: old}
	for range 2 { // compiled once, then from the cache
		h := &fakeHost{mem: newMemory()}
		d, err := e.NewDialog(&runtime.Session{ID: "s", BotID: "t"}, v1, h)
		if err != nil {
			t.Fatal(err)
		}
		c := &chat{t: t, d: d, host: h}
		c.begin("talk: v1")
		c.say("x", "talk: v1 x")
		d.Close()
	}
	if n := dialogs.CachedVersions(e); n != 1 {
		t.Errorf("%d cached versions", n)
	}
	c := startChat(t, e, "t", nil)
	c.begin("talk: v2")

	for _, tc := range []struct {
		sc   *runtime.Script
		kind runtime.Kind
	}{
		{&runtime.Script{Bot: "t", Version: dialogs.VersionOf(old), Source: old + " "}, runtime.KindDialog},
		{&runtime.Script{Bot: "t", Version: dialogs.VersionOf("if then"), Source: "if then"}, runtime.KindDialog},
		{&runtime.Script{Bot: "other", Version: v1.Version, Source: old}, runtime.KindInvalid},
	} {
		if _, err := e.NewDialog(&runtime.Session{BotID: "t"}, tc.sc, nopHost{}); !runtime.IsKind(err, tc.kind) {
			t.Errorf("NewDialog(%q): %v, want %s", tc.sc.Source, err, tc.kind)
		}
	}
	if _, err := e.Script("nope"); !runtime.IsKind(err, runtime.KindNotFound) {
		t.Errorf("Script(nope): %v", err)
	}
}

// TestOldVersionsBounded: the cache of old versions keeps the most
// recently used ones.
func TestOldVersionsBounded(t *testing.T) {
	t.Parallel()
	e := newEngine(t, sourceFS("TALK 'cur'"))
	for i := range 100 {
		src := fmt.Sprintf("TALK '%d'", i)
		d, err := e.NewDialog(&runtime.Session{BotID: "t"}, &runtime.Script{Bot: "t", Version: dialogs.VersionOf(src), Source: src}, nopHost{})
		if err != nil {
			t.Fatal(err)
		}
		d.Close()
	}
	if n := dialogs.CachedVersions(e); n != 64 {
		t.Errorf("%d cached versions, want 64", n)
	}
	c := startChat(t, e, "t", nil)
	c.begin("talk: cur")
}

// TestToStringHasNoAddress: tostring shows objects by a per-run number,
// and __tostring still works.
func TestToStringHasNoAddress(t *testing.T) {
	t.Parallel()
	c := startChat(t, newEngine(t, sourceFS(`
		local a, b = {}, {}
		TALK(tostring(a) .. " " .. tostring(b) .. " " .. tostring(a) .. " " .. tostring(TALK))
		TALK(tostring(setmetatable({}, {__tostring = function() return "custom" end})))
		TALK(string.format("%s|%5s|%d", setmetatable({}, {__tostring = function() return "fmt" end}), "x", 3))
		LOG(a, b)`)), "t", nil)
	c.begin("talk: table: 1 table: 2 table: 1 function: 3", "talk: custom", "talk: fmt|    x|3")
}
