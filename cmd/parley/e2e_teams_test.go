package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type teamAnswer struct {
	Responses []struct {
		BotID    string `json:"bot_id"`
		BotName  string `json:"bot_name"`
		Content  string `json:"content"`
		Complete bool   `json:"complete"`
		Error    string `json:"error"`
	} `json:"responses"`
	Summary string `json:"summary"`
	Mode    string `json:"mode"`
}

// teamBots is a bots directory with three quick bots, a slow one (it
// waits a minute before answering), a summary bot, and two teams: "trio"
// of the quick three with the summary bot, "mixed" of a quick bot and the
// slow one, each member given two seconds.
func teamBots(t *testing.T) string {
	t.Helper()
	dir := testBots(t)
	writeBot(t, dir, "alpha", "name: Alpha\n", `TALK("alpha thinks about " .. HEAR())`)
	writeBot(t, dir, "beta", "name: Beta\n", `TALK "beta here" while true do TALK("beta: " .. HEAR()) end`)
	writeBot(t, dir, "gamma", "name: Gamma\n", `local q = HEAR() TALK("gamma 1: " .. q) TALK("gamma 2")`)
	writeBot(t, dir, "slow", "name: Slow\n", `local q = HEAR() WAIT(60) TALK("too late: " .. q)`)
	writeBot(t, dir, "scribe", "name: Scribe\n", `TALK("scribe read: " .. HEAR())`)
	writeTeam(t, dir, "trio", "name: Trio\nmembers: [alpha, beta, gamma]\nsummary_bot: scribe\n")
	writeTeam(t, dir, "mixed", "name: Mixed\nmembers: [slow, alpha]\nmember_timeout: 2s\n")
	return dir
}

func writeTeam(t *testing.T, dir, slug, yaml string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, slug), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, slug, "team.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestTeamsBrainstorm(t *testing.T) {
	dir := teamBots(t)
	s := MustRunMain(t, func(c *Config) { c.Bots = dir })
	tok := tokenFor(t, "tess")

	var list struct {
		Teams []struct {
			ID         string   `json:"id"`
			Name       string   `json:"name"`
			Members    []string `json:"members"`
			SummaryBot *string  `json:"summary_bot"`
		} `json:"teams"`
	}
	if code := api(t, s, "GET", "/api/teams", tok, nil, &list); code != 200 || len(list.Teams) != 2 {
		t.Fatalf("GET /api/teams: %d %+v", code, list)
	}
	if tm := list.Teams[1]; tm.ID != "trio" || tm.Name != "Trio" || strings.Join(tm.Members, ",") != "alpha,beta,gamma" ||
		tm.SummaryBot == nil || *tm.SummaryBot != "scribe" || list.Teams[0].SummaryBot != nil {
		t.Errorf("teams listed as %+v", list.Teams)
	}

	var ans teamAnswer
	body := map[string]string{"message": "tea?", "mode": "brainstorm"}
	if code := api(t, s, "POST", "/api/teams/trio/chat", tok, body, &ans); code != 200 {
		t.Fatalf("brainstorm: %d %+v", code, ans)
	}
	want := []string{"alpha|Alpha|alpha thinks about tea?", "beta|Beta|beta: tea?", "gamma|Gamma|gamma 1: tea?\ngamma 2"}
	if len(ans.Responses) != len(want) || ans.Mode != "brainstorm" {
		t.Fatalf("answer %+v", ans)
	}
	for i, r := range ans.Responses {
		if got := r.BotID + "|" + r.BotName + "|" + r.Content; got != want[i] || !r.Complete || r.Error != "" {
			t.Errorf("response %d = %q (complete %v, error %q), want %q", i, got, r.Complete, r.Error, want[i])
		}
	}
	wantSum := "scribe read: Sum up these answers to: tea?\n\nAlpha: alpha thinks about tea?\n\nBeta: beta: tea?\n\nGamma: gamma 1: tea?\ngamma 2"
	if ans.Summary != wantSum {
		t.Errorf("summary %q, want %q", ans.Summary, wantSum)
	}

	// Each member answered in the caller's own conversation with it, as
	// /ws would have it: the socket sees the question and the answer.
	sock, _ := mustDial(t, s, "bot_id=beta&after=0", tok)
	sock.expectMessage("bot", "beta here")
	sock.expectMessage("user", "tea?")
	sock.expectMessage("bot", "beta: tea?")
}

// A member that does not answer in time is given as incomplete; the
// others answer, and the summary (no summary bot) joins what was said.
func TestTeamsSlowMember(t *testing.T) {
	dir := teamBots(t)
	s := MustRunMain(t, func(c *Config) { c.Bots = dir })
	tok := tokenFor(t, "tess")
	var ans teamAnswer
	if code := api(t, s, "POST", "/api/teams/mixed/chat", tok, map[string]string{"message": "now?"}, &ans); code != 200 {
		t.Fatalf("brainstorm: %d %+v", code, ans)
	}
	if len(ans.Responses) != 2 || ans.Mode != "brainstorm" {
		t.Fatalf("answer %+v", ans)
	}
	slow, alpha := ans.Responses[0], ans.Responses[1]
	if slow.BotID != "slow" || slow.Complete || slow.Content != "" || slow.Error != "unavailable" {
		t.Errorf("slow member answered %+v", slow)
	}
	if alpha.BotID != "alpha" || !alpha.Complete || alpha.Content != "alpha thinks about now?" {
		t.Errorf("alpha answered %+v", alpha)
	}
	if ans.Summary != "Alpha: alpha thinks about now?" {
		t.Errorf("summary %q", ans.Summary)
	}
	// The slow bot's question is in its conversation; deleting that stops
	// the minute's WAIT, which a shutdown would otherwise wait out.
	var convs listBody
	if code := api(t, s, "GET", "/api/conversations?bot_id=slow", tok, nil, &convs); code != 200 || len(convs.Conversations) != 1 ||
		convs.Conversations[0].LastMessage == nil || *convs.Conversations[0].LastMessage != "now?" {
		t.Fatalf("slow bot's conversations: %d %+v", code, convs)
	}
	if code := api(t, s, "DELETE", "/api/conversations/"+convs.Conversations[0].ID, tok, nil, nil); code != 204 {
		t.Errorf("DELETE: %d", code)
	}
}

func TestTeamsErrors(t *testing.T) {
	dir := teamBots(t)
	s := MustRunMain(t, func(c *Config) { c.Bots = dir })
	tok := tokenFor(t, "tess")
	for _, tc := range []struct {
		path, token string
		body        any
		status      int
		code        string
	}{
		{"/api/teams/trio/chat", tok, map[string]string{"message": "x", "mode": "debate"}, 400, "invalid_request"},
		{"/api/teams/trio/chat", tok, map[string]string{"message": "  "}, 400, "invalid_message"},
		{"/api/teams/nobody/chat", tok, map[string]string{"message": "x"}, 404, "not_found"},
		{"/api/teams/alpha/chat", tok, map[string]string{"message": "x"}, 404, "not_found"},
		{"/api/teams/trio/chat", "", map[string]string{"message": "x"}, 401, "unauthorized"},
	} {
		var e struct{ Error, Message string }
		if code := api(t, s, "POST", tc.path, tc.token, tc.body, &e); code != tc.status || e.Error != tc.code {
			t.Errorf("POST %s %v: %d %+v, want %d %s", tc.path, tc.body, code, e, tc.status, tc.code)
		}
	}
}
