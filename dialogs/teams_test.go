package dialogs_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"

	"parley/dialogs"
	"parley/runtime"
)

// withTeam adds bots a (the default), b and c, and a team folder "t" with
// the given team.yaml.
func withTeam(yaml string) fstest.MapFS {
	fsys := good(good(good(fstest.MapFS{}, "a", true), "b", false), "c", false)
	fsys["t/team.yaml"] = file(yaml)
	return fsys
}

func TestCheckTeams(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		fsys fstest.MapFS
		want []string
	}{
		{"good", withTeam("name: T\nmembers: [a, b]\nsummary_bot: c\nmember_timeout: 5s\n"), nil},
		{"unknown member", withTeam("members:\n  - a\n  - nobody\n"),
			[]string{`t/team.yaml:3: members: there is no bot "nobody" in the bots directory`}},
		{"member is a team", func() fstest.MapFS {
			f := withTeam("members: [a, u]\n")
			f["u/team.yaml"] = file("members: [b]\n")
			return f
		}(), []string{`t/team.yaml:1: members: "u" is a team; a team's members are bots`}},
		{"summary bot missing", withTeam("members: [a]\nsummary_bot: ghost\n"),
			[]string{`t/team.yaml:2: summary_bot: there is no bot "ghost" in the bots directory`}},
		{"no members", withTeam("name: T\n"), []string{"t/team.yaml: members: list at least one bot"}},
		{"member twice", withTeam("members: [a, a]\n"), []string{`t/team.yaml:1: members: "a" is listed twice`}},
		{"bad yaml", withTeam("name: T\nmembers: [a,\n"), []string{"t/team.yaml:2: did not find expected node content"}},
		{"unknown field", withTeam("members: [a]\nsumary_bot: b\n"),
			[]string{"t/team.yaml:2: field sumary_bot not found (team.yaml has name, members, summary_bot, member_timeout)"}},
		{"bad timeout", withTeam("members: [a]\nmember_timeout: soon\n"),
			[]string{`t/team.yaml:2: member_timeout: "soon" is not a positive duration such as 20s or 1m`}},
		{"bot and team", func() fstest.MapFS {
			f := withTeam("members: [a]\n")
			f["t/start.lua"] = file("TALK 'x'")
			f["t/bot.yaml"] = file("name: T\n")
			return f
		}(), []string{"t/team.yaml: a folder is a bot (bot.yaml, start.lua) or a team (team.yaml), not both"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errs := dialogs.Check(tc.fsys)
			if len(errs) != len(tc.want) {
				t.Fatalf("Check = %q, want %q", errs, tc.want)
			}
			for i, err := range errs {
				if err.Error() != tc.want[i] {
					t.Errorf("error %d = %q, want %q", i, err, tc.want[i])
				}
			}
		})
	}
}

func TestTeamsLoaded(t *testing.T) {
	t.Parallel()
	e, err := dialogs.New(dialogs.Config{Bots: withTeam("name: The Team\nmembers: [b, a]\nsummary_bot: c\nmember_timeout: 5s\n")})
	if err != nil {
		t.Fatal(err)
	}
	teams := e.Teams()
	if len(teams) != 1 {
		t.Fatalf("Teams = %v", teams)
	}
	got := teams[0]
	want := runtime.Team{ID: "t", Name: "The Team", Members: []runtime.BotID{"b", "a"}, SummaryBot: "c", MemberTimeout: 5 * time.Second}
	if fmt.Sprint(*got) != fmt.Sprint(want) {
		t.Errorf("team = %+v, want %+v", *got, want)
	}
	for _, b := range e.Bots() {
		if b.ID == "t" {
			t.Error("a team is listed as a bot")
		}
	}
	if _, err := dialogs.New(dialogs.Config{Bots: withTeam("members: [nobody]\n")}); err == nil {
		t.Error("New loaded a team with an unknown member")
	}
}

// A team folder is reloaded like a bot's: added, changed, broken (the
// last good version stays, Problems says why), fixed, removed.
func TestWatchTeams(t *testing.T) {
	w := startWatch(t)
	team := filepath.Join(w.dir, "crew")
	if err := os.Mkdir(team, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(team, "team.yaml"), "name: Crew\nmembers: [a]\n")
	w.waitReload("crew")
	w.teams("crew:a")

	writeFile(t, filepath.Join(team, "team.yaml"), "name: Crew\nmembers: [a, t]\n")
	w.waitReload("crew")
	w.teams("crew:a,t")

	writeFile(t, filepath.Join(team, "team.yaml"), "name: Crew\nmembers: [a, zz]\n")
	w.waitReload("crew")
	w.teams("crew:a,t")
	w.problems(`crew/team.yaml:2: members: there is no bot "zz"`)

	writeFile(t, filepath.Join(team, "team.yaml"), "name: Crew\nmembers: [t]\n")
	w.waitReload("crew")
	w.teams("crew:t")
	w.problems()

	if err := os.RemoveAll(team); err != nil {
		t.Fatal(err)
	}
	w.waitReload("crew")
	w.teams("")
}

func (w *watched) teams(want string) {
	w.t.Helper()
	got := ""
	for i, tm := range w.e.Teams() {
		if i > 0 {
			got += " "
		}
		got += string(tm.ID) + ":"
		for j, m := range tm.Members {
			if j > 0 {
				got += ","
			}
			got += string(m)
		}
	}
	if got != want {
		w.t.Fatalf("teams %q, want %q; log:\n%s", got, want, w.logs)
	}
}
