package dialogs

import (
	"sort"
	"time"
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
