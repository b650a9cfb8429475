package llm

import (
	"fmt"
	"sync"
	"time"

	"parley/runtime"
)

// limits keeps, per bot, the times of its calls in the last minute: a bot
// with calls_per_minute N makes at most N calls in any 60 seconds on this
// node (each node counts its own).
type limits struct {
	now   func() time.Time
	mu    sync.Mutex
	calls map[runtime.BotID][]time.Time
}

func newLimits(now func() time.Time) *limits {
	return &limits{now: now, calls: make(map[runtime.BotID][]time.Time)}
}

// take counts a call of bot, or refuses it when the bot has made perMinute
// calls in the last minute (0: no limit).
func (l *limits) take(bot runtime.BotID, perMinute int) error {
	if perMinute <= 0 {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	recent := l.calls[bot]
	for len(recent) > 0 && now.Sub(recent[0]) >= time.Minute {
		recent = recent[1:]
	}
	if len(recent) >= perMinute {
		l.calls[bot] = recent
		wait := time.Minute - now.Sub(recent[0])
		return &runtime.LLMError{Message: fmt.Sprintf("LLM: this bot's limit of %d calls a minute is reached; try again in %ds", perMinute, int((wait+time.Second-1)/time.Second))}
	}
	l.calls[bot] = append(recent, now)
	return nil
}
