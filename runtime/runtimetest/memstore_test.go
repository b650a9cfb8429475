package runtimetest_test

import (
	"sync/atomic"
	"testing"
	"time"

	"parley/runtime"
	"parley/runtime/runtimetest"
)

func TestMemStore(t *testing.T) {
	runtimetest.StoreSuite(t, func(t *testing.T) runtime.Store {
		s := runtimetest.NewMemStore()
		s.Now = tickingClock()
		return s
	})
}

// tickingClock moves one millisecond per call, so every stored time is
// distinct and the time filters are exact.
func tickingClock() func() time.Time {
	var n atomic.Int64
	base := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	return func() time.Time { return base.Add(time.Duration(n.Add(1)) * time.Millisecond) }
}
