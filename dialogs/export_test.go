package dialogs

import (
	"sort"
	"time"

	"parley/runtime"
)

// ParseAnswer exposes parseAnswer to the external tests.
func ParseAnswer(as, text string, today time.Time) (any, bool) {
	return parseAnswer(answerKind(as), text, func() time.Time { return today })
}

// MatchChoice exposes matchChoice.
var MatchChoice = matchChoice

// APINames lists the keys of the api table, sorted.
func APINames() []string {
	names := make([]string, 0, len(api))
	for name := range api {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// VersionOf exposes versionOf.
var VersionOf = versionOf

// CachedVersions is how many old versions e keeps compiled.
func CachedVersions(e *Engine) int { return e.old.len() }

// Blocked reports whether d's script waits in a HEAR that could not
// yield, on a goroutine of its own (yield.go).
func Blocked(d runtime.Dialog) bool { return d.(*dialog).blocked }

// Idle waits until d's last turn's goroutine has returned, which it does
// right after reporting a turn unless it is Blocked.
func Idle(d runtime.Dialog) { d.(*dialog).running.Wait() }

// Busy is how many workers run a turn or are blocked in HEAR, in all
// dialogs of the process.
func Busy() int64 { return workers.busy.Load() }
