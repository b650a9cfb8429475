package main

import (
	"io"
	"net/http"
	"regexp"
	"strconv"
	"testing"
)

// scrape returns the value of one unlabelled metric from /metrics.
func scrape(t *testing.T, s *testServer, name string) float64 {
	t.Helper()
	resp, err := http.Get(s.URL() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("/metrics: %d", resp.StatusCode)
	}
	m := regexp.MustCompile(`(?m)^` + name + ` (\S+)$`).FindSubmatch(body)
	if m == nil {
		t.Fatalf("/metrics has no %s:\n%s", name, body)
	}
	v, err := strconv.ParseFloat(string(m[1]), 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// /metrics counts what happens: sockets, frames, turns, dialogs, commits.
func TestMetrics(t *testing.T) {
	s := MustRunMain(t)
	turns, commits := scrape(t, s, "parley_turns_total"), scrape(t, s, "parley_db_commits_total")
	batches, writes := scrape(t, s, "parley_db_batch_seconds_count"), scrape(t, s, "parley_db_write_seconds_count")
	c, _ := mustDial(t, s, "bot_id=echo", tokenFor(t, "mo"))
	c.say("count me", "m1")
	c.expectMessage("user", "count me")
	c.expectMessage("bot", "count me")
	if got := scrape(t, s, "parley_sockets"); got != 1 {
		t.Errorf("parley_sockets %v, want 1", got)
	}
	if got := scrape(t, s, "parley_turns_total"); got != turns+1 {
		t.Errorf("parley_turns_total %v, want %v", got, turns+1)
	}
	if got := scrape(t, s, "parley_dialogs_live"); got != 1 {
		t.Errorf("parley_dialogs_live %v, want 1", got)
	}
	if got := scrape(t, s, "parley_frames_received_total"); got < 1 {
		t.Errorf("parley_frames_received_total %v", got)
	}
	if got := scrape(t, s, "parley_frames_sent_total"); got < 3 {
		t.Errorf("parley_frames_sent_total %v, want at least connected + 2 messages", got)
	}
	if got := scrape(t, s, "parley_db_commits_total"); got < commits+2 {
		t.Errorf("parley_db_commits_total %v, want at least %v", got, commits+2)
	}
	// Each commit is timed, and each write its caller waited for; the
	// slowest bucket, +Inf, holds them all.
	if got := scrape(t, s, "parley_db_batch_seconds_count"); got < batches+2 {
		t.Errorf("parley_db_batch_seconds_count %v, want at least %v", got, batches+2)
	}
	if got := scrape(t, s, `parley_db_write_seconds_bucket\{le="\+Inf"\}`); got < writes+2 {
		t.Errorf("parley_db_write_seconds +Inf bucket %v, want at least %v", got, writes+2)
	}
	if got := scrape(t, s, "parley_db_write_seconds_sum"); got <= 0 {
		t.Errorf("parley_db_write_seconds_sum %v, want the time waited", got)
	}
	scrape(t, s, "go_goroutines")
}

// --pprof-addr serves profiles on its own listener, never on the public one.
func TestPprofAddr(t *testing.T) {
	s := MustRunMain(t, func(c *Config) { c.PprofAddr = "127.0.0.1:0" })
	resp, err := http.Get("http://" + s.pprofAddr + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("pprof: %d", resp.StatusCode)
	}
	resp, err = http.Get(s.URL() + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if regexp.MustCompile(`goroutine profile`).Match(b) {
		t.Fatal("the public listener serves pprof")
	}
}

// On SQLite a turn with a parked dialog is one write: the user's message
// is stored by the commit that stores the bot's answer (runtime/early.go).
// Before, it was two (parley_db_writes_total counts the message path).
func TestTurnIsOneWrite(t *testing.T) {
	s := MustRunMain(t)
	c, _ := mustDial(t, s, "bot_id=echo", tokenFor(t, "ow"))
	c.say("warm up", "w0")
	c.expectMessage("user", "warm up")
	c.expectMessage("bot", "warm up")
	const turns = 20
	writes := scrape(t, s, "parley_db_writes_total")
	for i := range turns {
		text := "turn " + strconv.Itoa(i)
		c.say(text, "t"+strconv.Itoa(i))
		c.expectMessage("user", text)
		c.expectMessage("bot", text)
	}
	// A message that comes before the dialog goroutine has let go of the
	// last turn is stored first, as before: allow a few.
	if got := scrape(t, s, "parley_db_writes_total") - writes; got > turns+turns/4 {
		t.Fatalf("%v writes for %d turns; want about one a turn", got, turns)
	}
}
