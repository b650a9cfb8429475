package dialogs

import (
	"errors"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"parley/runtime"
)

// Config configures an Engine. Bots or Dir must be set; the zero value of
// every other field is useful.
//
// There is no clock and no random source here on purpose: a script gets
// the time, random numbers and pauses from its DialogHost only, which
// journals them (doc.go, "Determinism").
type Config struct {
	// Bots is the bots directory: one folder per bot at its root. When nil
	// it is os.DirFS(Dir); when both are set, Bots must read Dir.
	Bots fs.FS
	// Dir is the bots directory on disk, for Watch. Empty for bots that
	// cannot change (the embedded ones): Watch then does nothing.
	Dir string
	// Logger receives script failures, LOG lines and reloads. Default:
	// discard.
	Logger *slog.Logger
	// TurnTimeout is how long one turn may run Lua (time waiting in HEAR,
	// WAIT or TYPING, and time spent in the DialogHost, does not count). A
	// script over it fails with ErrTimeBudget. Default 10s.
	TurnTimeout time.Duration
	// MemoryBudget is how many bytes of Lua values one run of a script may
	// hold (an estimate: see memory.go and docs/security.md). A script
	// over it fails with ErrMemoryBudget; so does a single string or
	// table.concat result larger than it. Default 16 MiB.
	MemoryBudget int64
	// OnReload, when set, is called by Watch after a reload changed what
	// the engine runs or reports for a bot: its version, its bot.yaml, its
	// default mark, its problems, its folder being removed; or for a team:
	// its team.yaml, its problems, its folder being added or removed. It runs on Watch's goroutine after the
	// change is visible (Script, Bots, Problems) and must not block.
	OnReload func(bot runtime.BotID)
}

// DefaultTurnTimeout is the Lua time budget of a turn (protocol §2).
const DefaultTurnTimeout = 10 * time.Second

func (c Config) withDefaults() Config {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.TurnTimeout <= 0 {
		c.TurnTimeout = DefaultTurnTimeout
	}
	if c.MemoryBudget <= 0 {
		c.MemoryBudget = DefaultMemoryBudget
	}
	if c.Bots == nil && c.Dir != "" {
		c.Bots = os.DirFS(c.Dir)
	}
	return c
}

// Engine loads bots and starts their dialogs. It is safe for concurrent
// use, also while Watch reloads bots: each call sees one consistent set of
// bots (a botSet is replaced, never changed).
type Engine struct {
	cfg Config
	set atomic.Pointer[botSet]
	old *protoCache // compiled versions that are no longer current

	reloading sync.Mutex    // one reload at a time
	watching  chan struct{} // closed once Watch watches
	watchOnce sync.Once     // closes watching
	watched   atomic.Bool   // Watch was called
}

// botSet is the bots the engine runs at one moment, and what is wrong on
// disk. It is immutable once published.
type botSet struct {
	bots       map[runtime.BotID]*bot
	def        runtime.BotID
	problems   map[runtime.BotID][]string // a folder that does not load: its errors
	defProblem string                     // the folders break "exactly one default"
	gone       map[runtime.BotID]bool     // folder removed; last good version kept

	teams        map[runtime.BotID]*runtime.Team
	teamProblems map[runtime.BotID][]string // a team folder that does not load: its errors
}

var (
	_ runtime.DialogEngine = (*Engine)(nil)
	_ runtime.TeamEngine   = (*Engine)(nil)
)

// New loads and compiles every bot of cfg.Bots. It fails when any bot has a
// problem (the error lists them all, as Check does) or when there is not
// exactly one default bot.
func New(cfg Config) (*Engine, error) {
	cfg = cfg.withDefaults()
	if cfg.Bots == nil {
		return nil, errors.New("dialogs: Config.Bots and Config.Dir are both empty")
	}
	bots, errs := loadBots(cfg.Bots)
	teams, teamErrs := loadTeams(cfg.Bots, bots)
	if errs = append(errs, flatten(teamErrs)...); len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	def, err := pickDefault(bots)
	if err != nil {
		return nil, err
	}
	e := &Engine{cfg: cfg, old: newProtoCache(maxOldVersions), watching: make(chan struct{})}
	e.set.Store(&botSet{bots: withDefault(bots, def), def: def, teams: teams})
	return e, nil
}

// Bots lists the loaded bots sorted by ID. The caller owns the result.
func (e *Engine) Bots() []*runtime.Bot {
	set := e.set.Load()
	list := make([]*runtime.Bot, 0, len(set.bots))
	for _, b := range set.bots {
		info := b.info
		list = append(list, &info)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
	return list
}

// Teams lists the loaded teams sorted by ID. The caller owns the result.
func (e *Engine) Teams() []*runtime.Team { return teamList(e.set.Load().teams) }

// Script returns the current version of a bot's script: the one new runs
// use. An unknown bot is KindNotFound. The caller owns the result.
func (e *Engine) Script(id runtime.BotID) (*runtime.Script, error) {
	b, ok := e.set.Load().bots[id]
	if !ok {
		return nil, runtime.Errorf(runtime.KindNotFound, "no bot %q", id)
	}
	sc := *b.script
	return &sc, nil
}

// NewDialog prepares the dialog of s running script sc, without running
// it: no goroutine and no Lua state exist until the first Step. sc may be
// an old version of the bot's script (the one a run is pinned to); it is
// compiled on first use and kept for the next dialogs. A nil sc is the
// current version. The dialog runs sc for all its runs: a conversation
// moves to a newer version by getting a new dialog.
//
// An unknown bot is KindNotFound; a script of another bot is
// KindInvalid; a Source that does not hash to Version, or does not
// compile, is KindDialog.
func (e *Engine) NewDialog(s *runtime.Session, sc *runtime.Script, host runtime.DialogHost) (runtime.Dialog, error) {
	b, ok := e.set.Load().bots[s.BotID]
	if !ok {
		return nil, runtime.Errorf(runtime.KindNotFound, "no bot %q", s.BotID)
	}
	if sc == nil {
		sc = b.script
	}
	if sc.Bot != s.BotID {
		return nil, runtime.Errorf(runtime.KindInvalid, "script of bot %q for a conversation with bot %q", sc.Bot, s.BotID)
	}
	proto, err := e.protoFor(b, sc)
	if err != nil {
		return nil, err
	}
	return newDialog(e, sc, proto, s, host), nil
}

// Problems describes what is wrong in the bots directory since the last
// reload, for /readyz: each bot folder that does not load (as
// "slug/file:line: message"; its last good version, if any, keeps
// running) and a broken "exactly one default" rule. Empty when all is
// well. The caller owns the result.
func (e *Engine) Problems() []string {
	set := e.set.Load()
	ids := make([]string, 0, len(set.problems))
	for id := range set.problems {
		ids = append(ids, string(id))
	}
	sort.Strings(ids)
	var out []string
	for _, id := range ids {
		out = append(out, set.problems[runtime.BotID(id)]...)
	}
	for _, id := range slices.Sorted(maps.Keys(set.teamProblems)) {
		out = append(out, set.teamProblems[id]...)
	}
	if set.defProblem != "" {
		out = append(out, set.defProblem)
	}
	return out
}
