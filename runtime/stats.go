package runtime

import "sync/atomic"

// Stats are the hub's counters, for tests and metrics.
type Stats struct {
	Conversations int    // conversations in memory
	Replays       uint64 // dialogs rebuilt from their journal
	Evictions     uint64 // dialogs dropped from memory while idle
}

// counters are updated without locks on the hot path.
type counters struct {
	replays   atomic.Uint64
	evictions atomic.Uint64
}

// Stats returns the hub's counters now.
func (h *Hub) Stats() Stats {
	h.mu.Lock()
	n := len(h.convs)
	h.mu.Unlock()
	return Stats{Conversations: n, Replays: h.counters.replays.Load(), Evictions: h.counters.evictions.Load()}
}
