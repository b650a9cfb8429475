package dialogs

import (
	"runtime/metrics"
	"sync"
	"time"
)

// sentinel watches the Go heap while turns run Lua for long. A run's own
// checks (memory.go) walk it every walkEvery instructions or more (more
// when it holds many values: walkPace); in between, a loop that stores
// new tables grows unseen. So the sentinel samples the heap
// (runtime/metrics, cheap) every sentinelPeriod, and each time it grew by
// a budget (the smallest of the runs') above its lowest point since the
// last time, it pokes the turns that have been running Lua for longTurn or
// more without a pause (normal turns take microseconds): each walks at
// its next instruction, on its own goroutine, and stops if it is over its
// budget. In a quiet process a sample costs a metrics read; the runs are
// scanned only when the heap grew.
//
// It never stops a turn itself. Stopping the longest-running turn when the
// process heap grows (after a collection confirms the growth is live) was
// tried: the heap is the whole process's, and when several dialogs
// allocate at once (the package's own parallel tests do) it blamed a turn
// for the others' memory. The walk, which sees the run's whole data stack
// (memory_lua.go), is the only judge.
//
// There is one sentinel per process, since there is one heap; it reads
// only atomics of the runs it watches (memory.lua, memory.poke), never a
// Lua state. Its goroutine runs while some run exists.
type sentinel struct {
	mu       sync.Mutex
	runs     map[*memory]struct{}
	smallest int64 // the smallest limit of the runs since there were none
	running  bool  // the loop goroutine is alive

	heap func() uint64 // the heap now: runtime/metrics, or a test's
	mark uint64        // owned by the loop: the heap's low since the last poke
}

const (
	sentinelPeriod = 5 * time.Millisecond
	longTurn       = 10 * time.Millisecond
)

var watch = newSentinel()

func newSentinel() *sentinel {
	return &sentinel{
		runs: make(map[*memory]struct{}),
		heap: readMetric("/memory/classes/heap/objects:bytes"),
	}
}

// readMetric returns a reader of a uint64 metric of runtime/metrics. A
// reader is used by one goroutine at a time.
func readMetric(name string) func() uint64 {
	sample := []metrics.Sample{{Name: name}}
	return func() uint64 {
		metrics.Read(sample)
		if sample[0].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return sample[0].Value.Uint64()
	}
}

// add watches m (a new run) until remove.
func (s *sentinel) add(m *memory) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.runs) == 0 || m.limit < s.smallest {
		s.smallest = m.limit
	}
	s.runs[m] = struct{}{}
	if !s.running {
		s.running = true
		go s.loop()
	}
}

func (s *sentinel) remove(m *memory) {
	s.mu.Lock()
	delete(s.runs, m)
	s.mu.Unlock()
}

func (s *sentinel) loop() {
	s.mark = s.heap()
	t := time.NewTicker(sentinelPeriod)
	defer t.Stop()
	for now := range t.C {
		if !s.step(now) {
			return
		}
	}
}

// step takes one sample; it reports false, ending the loop, when no run is
// left to watch.
func (s *sentinel) step(now time.Time) bool {
	s.mu.Lock()
	smallest, alive := s.smallest, len(s.runs) > 0
	if !alive {
		s.running = false
	}
	s.mu.Unlock()
	if !alive {
		return false
	}
	heap := s.heap()
	s.mark = min(s.mark, heap)
	if heap-s.mark > uint64(smallest) {
		s.mark = heap
		s.pokeLong(now)
	}
	return true
}

// pokeLong pokes the runs that have run Lua for longTurn or more without
// a pause.
func (s *sentinel) pokeLong(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for m := range s.runs {
		if since := m.lua.Load(); since != 0 && now.UnixNano()-since >= int64(longTurn) {
			m.poke.Store(true)
		}
	}
}
