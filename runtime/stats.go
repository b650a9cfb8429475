package runtime

import "sync/atomic"

// Stats are the hub's counters, for tests and metrics.
type Stats struct {
	Conversations int    // conversations in memory
	Dialogs       int64  // dialogs (Lua states) in memory
	Turns         uint64 // user messages given to a dialog
	Replays       uint64 // dialogs rebuilt from their journal
	Evictions     uint64 // dialogs dropped from memory while idle
	SlowDrops     uint64 // subscribers dropped for reading too slowly
}

// counters are updated without locks on the hot path.
type counters struct {
	dialogs   atomic.Int64
	turns     atomic.Uint64
	replays   atomic.Uint64
	evictions atomic.Uint64
	slowDrops atomic.Uint64
}

// Stats returns the hub's counters now.
func (h *Hub) Stats() Stats {
	h.mu.Lock()
	n := len(h.convs)
	h.mu.Unlock()
	return Stats{
		Conversations: n,
		Dialogs:       h.counters.dialogs.Load(),
		Turns:         h.counters.turns.Load(),
		Replays:       h.counters.replays.Load(),
		Evictions:     h.counters.evictions.Load(),
		SlowDrops:     h.counters.slowDrops.Load(),
	}
}
