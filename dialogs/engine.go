package dialogs

import (
	"errors"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"sort"
	"time"

	"parley/runtime"
)

// Config configures an Engine. The zero value of every field but Bots is
// useful.
type Config struct {
	// Bots is the bots directory: one folder per bot at its root.
	Bots fs.FS
	// Logger receives script failures and LOG lines. Default: discard.
	Logger *slog.Logger
	// TurnTimeout is how long one turn may run Lua (time waiting in HEAR,
	// WAIT or TYPING does not count). A script over it fails with
	// ErrTimeBudget. Default 10s.
	TurnTimeout time.Duration
	// Now is the clock of NOW() and of HEAR{as="date"} ("today").
	// Default time.Now.
	Now func() time.Time
	// Rand returns an integer in [lo, hi] for RANDOM and math.random.
	// Default math/rand/v2.
	Rand func(lo, hi int) int
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
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Rand == nil {
		c.Rand = func(lo, hi int) int { return lo + int(rand.Int64N(int64(hi)-int64(lo)+1)) }
	}
	return c
}

// Engine loads bots and starts their dialogs. It is safe for concurrent
// use; it never changes after New.
type Engine struct {
	cfg  Config
	bots map[runtime.BotID]*bot
}

var _ runtime.DialogEngine = (*Engine)(nil)

// New loads and compiles every bot of cfg.Bots. It fails when any bot has a
// problem (the error lists them all, as Check does) or when there is not
// exactly one default bot.
func New(cfg Config) (*Engine, error) {
	if cfg.Bots == nil {
		return nil, errors.New("dialogs: Config.Bots is nil")
	}
	bots, errs := loadBots(cfg.Bots)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return &Engine{cfg: cfg.withDefaults(), bots: bots}, nil
}

// Bots lists the loaded bots sorted by ID. The caller owns the result.
func (e *Engine) Bots() []*runtime.Bot {
	list := make([]*runtime.Bot, 0, len(e.bots))
	for _, b := range e.bots {
		info := b.info
		list = append(list, &info)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
	return list
}

// NewDialog prepares the dialog of s without running it: no goroutine and
// no Lua state exist until the first Step. An unknown bot is KindNotFound.
func (e *Engine) NewDialog(s *runtime.Session, host runtime.DialogHost) (runtime.Dialog, error) {
	b, ok := e.bots[s.BotID]
	if !ok {
		return nil, runtime.Errorf(runtime.KindNotFound, "no bot %q", s.BotID)
	}
	return newDialog(e, b, s, host), nil
}
