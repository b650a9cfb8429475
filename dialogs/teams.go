package dialogs

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"parley/runtime"
)

// teamFile marks a folder of the bots directory as a team of bots.
const teamFile = "team.yaml"

// teamManifest is team.yaml. Unknown fields are errors, as in bot.yaml.
type teamManifest struct {
	Name          string       `yaml:"name"`
	Members       []memberItem `yaml:"members"`
	SummaryBot    memberItem   `yaml:"summary_bot"`
	MemberTimeout timeoutItem  `yaml:"member_timeout"`
}

// memberItem is a bot id in team.yaml and its line, for the error that
// names a bad one.
type memberItem struct {
	id   runtime.BotID
	line int
}

func (m *memberItem) UnmarshalYAML(n *yaml.Node) error {
	m.line = n.Line
	var s string
	if err := n.Decode(&s); err != nil {
		return fmt.Errorf("line %d: a bot id (a folder name) is expected", n.Line)
	}
	m.id = runtime.BotID(s)
	return nil
}

// timeoutItem is member_timeout and its line.
type timeoutItem struct {
	value string
	line  int
}

func (m *timeoutItem) UnmarshalYAML(n *yaml.Node) error {
	m.line = n.Line
	return n.Decode(&m.value)
}

func isTeamDir(fsys fs.FS, dir string) bool { return exists(fsys, path.Join(dir, teamFile)) }

// loadTeams loads every team folder of fsys and checks it against bots
// (the bots loaded from the same directory). It keeps going after an
// error, so that one run reports everything.
func loadTeams(fsys fs.FS, bots map[runtime.BotID]*bot) (map[runtime.BotID]*runtime.Team, map[runtime.BotID][]error) {
	teams := map[runtime.BotID]*runtime.Team{}
	errs := map[runtime.BotID][]error{}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return teams, errs // loadBots says so
	}
	dirs := map[runtime.BotID]bool{}
	for _, e := range entries {
		if e.IsDir() && isTeamDir(fsys, e.Name()) {
			dirs[runtime.BotID(e.Name())] = true
		}
	}
	for id := range dirs {
		t, err := loadTeam(fsys, id, bots, dirs)
		if len(err) > 0 {
			errs[id] = err
			continue
		}
		teams[id] = t
	}
	return teams, errs
}

// loadTeam reads and checks one team folder.
func loadTeam(fsys fs.FS, id runtime.BotID, bots map[runtime.BotID]*bot, teams map[runtime.BotID]bool) (*runtime.Team, []error) {
	bad := func(line int, format string, args ...any) error {
		return &ScriptError{Bot: id, File: teamFile, Line: line, Err: fmt.Errorf(format, args...)}
	}
	if !slugPattern.MatchString(string(id)) {
		return nil, []error{bad(0, "the folder name is the team id: use lowercase letters, digits, '-' and '_' (at most 64)")}
	}
	if isBotDir(fsys, string(id)) {
		return nil, []error{bad(0, "a folder is a bot (bot.yaml, start.lua) or a team (team.yaml), not both")}
	}
	m, err := readTeamManifest(fsys, id)
	if err != nil {
		return nil, []error{err}
	}
	t := &runtime.Team{ID: id, Name: m.Name, SummaryBot: m.SummaryBot.id}
	if t.Name == "" {
		t.Name = string(id)
	}
	var errs []error
	if len(m.Members) == 0 {
		errs = append(errs, bad(0, "members: list at least one bot"))
	}
	seen := map[runtime.BotID]bool{}
	for _, mem := range m.Members {
		if err := checkMember(mem, bots, teams); err != "" {
			errs = append(errs, bad(mem.line, "members: %s", err))
		} else if seen[mem.id] {
			errs = append(errs, bad(mem.line, "members: %q is listed twice", mem.id))
		}
		seen[mem.id] = true
		t.Members = append(t.Members, mem.id)
	}
	if s := m.SummaryBot; s.id != "" {
		if err := checkMember(s, bots, teams); err != "" {
			errs = append(errs, bad(s.line, "summary_bot: %s", err))
		}
	}
	if mt := m.MemberTimeout; mt.value != "" {
		d, err := time.ParseDuration(mt.value)
		if err != nil || d <= 0 {
			errs = append(errs, bad(mt.line, "member_timeout: %q is not a positive duration such as 20s or 1m", mt.value))
		}
		t.MemberTimeout = d
	}
	return t, errs
}

// checkMember says what is wrong with a bot id of team.yaml ("" if
// nothing).
func checkMember(m memberItem, bots map[runtime.BotID]*bot, teams map[runtime.BotID]bool) string {
	switch {
	case teams[m.id]:
		return fmt.Sprintf("%q is a team; a team's members are bots", m.id)
	case bots[m.id] == nil:
		return fmt.Sprintf("there is no bot %q in the bots directory", m.id)
	}
	return ""
}

func readTeamManifest(fsys fs.FS, id runtime.BotID) (teamManifest, error) {
	var m teamManifest
	err := readYAML(fsys, id, teamFile, &m, func(msg string) string {
		if strings.Contains(msg, "in type dialogs.teamManifest") {
			msg = strings.ReplaceAll(msg, " in type dialogs.teamManifest", "") + " (team.yaml has name, members, summary_bot, member_timeout)"
		}
		return strings.ReplaceAll(msg, "into []dialogs.memberItem", "into members, a list of bot ids")
	})
	return m, err
}

// teamList sorts teams by ID.
func teamList(teams map[runtime.BotID]*runtime.Team) []*runtime.Team {
	list := make([]*runtime.Team, 0, len(teams))
	for _, t := range teams {
		c := *t
		c.Members = append([]runtime.BotID(nil), t.Members...)
		list = append(list, &c)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
	return list
}

// flatten lists the errors of every team, sorted by team.
func flatten(errs map[runtime.BotID][]error) []error {
	ids := make([]string, 0, len(errs))
	for id := range errs {
		ids = append(ids, string(id))
	}
	sort.Strings(ids)
	var out []error
	for _, id := range ids {
		out = append(out, errs[runtime.BotID(id)]...)
	}
	return out
}
