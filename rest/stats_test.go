package rest_test

import (
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"parley/runtime"
)

// GET /api/support/stats over a scripted desk with known times: six
// conversations enter the queue, agents take and answer them, resolve,
// close and reopen them, each at a set second; every figure of the
// answer is checked. Times are seconds after base (c6 entered before).
//
//	c6 waiting -10
//	c1 waiting 0,   ag takes it and answers 60,   resolved 600
//	c2 waiting 100, ag2 takes it and answers 130, closed 1300
//	c3 waiting 200, ag takes it and answers 320,  still open
//	c4 waiting 300, nobody
//	c5 waiting 400, ag takes it and answers 700,  resolved 1300, reopened 1400
func TestSupportStats(t *testing.T) {
	base := t0.Add(time.Hour)
	clk := &clock{now: base.Add(-10 * time.Second)}
	a := newAPI(t, runtime.Config{Now: clk.Now})
	c := deskCallers(t, a)
	at := func(sec int) { clk.mu.Lock(); clk.now = base.Add(time.Duration(sec) * time.Second); clk.mu.Unlock() }
	newConv := func() string {
		return a.do(t, "POST", "/api/conversations", c["user"], `{}`).expect(t, 201, "").body["id"].(string)
	}
	status := func(id, who, s string) {
		a.do(t, "PATCH", "/api/conversations/"+id, c[who], `{"support_status":"`+s+`"}`).expect(t, 200, "")
	}
	answer := func(id, who, agent string) {
		a.do(t, "POST", "/api/conversations/"+id+"/assign", c[who], `{"agent":"`+agent+`"}`).expect(t, 200, "")
		a.do(t, "POST", "/api/conversations/"+id+"/messages", c[who], `{"content":"hello, I am here"}`).expect(t, 201, "")
		a.do(t, "POST", "/api/conversations/"+id+"/messages", c[who], `{"content":"a second answer"}`).expect(t, 201, "")
	}
	c1, c2, c3, c4, c5, c6 := newConv(), newConv(), newConv(), newConv(), newConv(), newConv()
	never := newConv() // assigned, never in the queue: not counted
	a.do(t, "POST", "/api/conversations/"+never+"/assign", c["admin"], `{"agent":"ag"}`).expect(t, 200, "")
	status(c6, "admin", "waiting")
	at(0)
	status(c1, "admin", "waiting")
	at(60)
	answer(c1, "agent", "ag")
	at(100)
	status(c2, "admin", "waiting")
	at(130)
	answer(c2, "other agent", "ag2")
	at(200)
	status(c3, "admin", "waiting")
	at(300)
	status(c4, "admin", "waiting")
	at(320)
	answer(c3, "agent", "ag")
	at(400)
	status(c5, "admin", "waiting")
	at(600)
	status(c1, "agent", "resolved")
	at(700)
	answer(c5, "agent", "ag")
	at(1300)
	status(c2, "other agent", "closed")
	status(c5, "agent", "resolved")
	at(1400)
	status(c5, "agent", "open") // reopened: no longer a resolution

	since := url.QueryEscape(base.Format(time.RFC3339))
	checkStats(t, a.do(t, "GET", "/api/support/stats?since="+since, c["agent"], ""), `{
		"since": "2025-03-01T13:00:00Z", "conversations": 5,
		"by_status": {"open": 2, "waiting": 1, "resolved": 1, "closed": 1},
		"by_agent": {"ag": {"assigned": 3, "open": 2, "resolved": 1}, "ag2": {"assigned": 1, "open": 0, "resolved": 1}},
		"first_response_seconds": {"p50": 60, "p90": 300},
		"resolution_seconds": {"p50": 600, "p90": 1200}}`)
	// From 150 s: c3, c4, c5 (first responses 120 and 300, no resolution).
	checkStats(t, a.do(t, "GET", "/api/support/stats?since=2025-03-01T13:02:30Z", c["admin"], ""), `{
		"since": "2025-03-01T13:02:30Z", "conversations": 3,
		"by_status": {"open": 2, "waiting": 1, "resolved": 0, "closed": 0},
		"by_agent": {"ag": {"assigned": 2, "open": 2, "resolved": 0}},
		"first_response_seconds": {"p50": 120, "p90": 300},
		"resolution_seconds": {"p50": null, "p90": null}}`)
	// By default the last 30 days: c6 too. Another zone is the same instant.
	r := a.do(t, "GET", "/api/support/stats", c["agent"], "").expect(t, 200, "")
	if r.body["conversations"] != 6.0 || r.body["since"] != "2025-01-30T13:23:20Z" {
		t.Errorf("default window: %s; want 6 conversations since 30 days before now", r.raw)
	}
	checkStats(t, a.do(t, "GET", "/api/support/stats?since=2025-03-01T23:00:00%2B10:00", c["agent"], ""), `{
		"since": "2025-03-01T13:00:00Z", "conversations": 5,
		"by_status": {"open": 2, "waiting": 1, "resolved": 1, "closed": 1},
		"by_agent": {"ag": {"assigned": 3, "open": 2, "resolved": 1}, "ag2": {"assigned": 1, "open": 0, "resolved": 1}},
		"first_response_seconds": {"p50": 60, "p90": 300},
		"resolution_seconds": {"p50": 600, "p90": 1200}}`)
}

// checkStats compares an answer with the JSON it should be, exactly.
func checkStats(t *testing.T, r reply, want string) {
	t.Helper()
	r.expect(t, 200, "")
	var w map[string]any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(r.body)
	exp, _ := json.Marshal(w)
	if string(got) != string(exp) {
		t.Errorf("stats\n got %s\nwant %s", got, exp)
	}
}

// Who may read the stats: agents and admins; a user 403, nobody 401; a
// since that is not RFC 3339 is 400. An empty window has every key.
func TestSupportStatsAccess(t *testing.T) {
	a := newAPI(t, runtime.Config{})
	c := deskCallers(t, a)
	a.do(t, "GET", "/api/support/stats", c["user"], "").expect(t, 403, "forbidden")
	a.do(t, "GET", "/api/support/stats", "", "").expect(t, 401, "unauthorized")
	for _, bad := range []string{"yesterday", "2025-03-01", "2025-03-01T10:00:00"} {
		a.do(t, "GET", "/api/support/stats?since="+bad, c["agent"], "").expect(t, 400, "invalid_request")
	}
	r := a.do(t, "GET", "/api/support/stats", c["admin"], "").expect(t, 200, "")
	if got := fields(r.body); got != "by_agent,by_status,conversations,first_response_seconds,resolution_seconds,since" {
		t.Errorf("keys %s", got)
	}
	if got := fields(r.body["by_status"]); got != "closed,open,resolved,waiting" || r.body["conversations"] != 0.0 ||
		fields(r.body["by_agent"]) != "" || r.body["resolution_seconds"].(map[string]any)["p50"] != nil {
		t.Errorf("an empty desk: %s", r.raw)
	}
}
