package schema

import (
	"context"
	"testing"
	"time"

	"parley/runtime"
)

// The retention sweep deletes the rows older than the cutoff, from the
// oldest, moves the horizon past them, and never deletes the newest row
// (on SQLite the next id is above it only while it stays); ids keep
// growing after a sweep.
func TestSweepFeed(t *testing.T) {
	runBackends(t, func(t *testing.T, b testBackend) {
		t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
		now := t0
		cfg := b.config(t)
		cfg.Now = func() time.Time { return now }
		db := openConfig(t, cfg)
		ctx := context.Background()
		sid := runtime.SessionID(runtime.NewID())
		add := func(at time.Time) {
			t.Helper()
			now = at
			if err := db.AppendFeed(ctx, &runtime.FeedRow{SessionID: sid, Kind: runtime.FeedRead, Seq: 1, Reader: "bea"}); err != nil {
				t.Fatal(err)
			}
		}
		ids := func() []int64 {
			t.Helper()
			rows, err := db.FeedAfter(ctx, 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			var out []int64
			for _, r := range rows {
				out = append(out, r.ID)
			}
			return out
		}
		add(t0)
		add(t0.Add(time.Hour))
		add(t0.Add(2 * time.Hour))
		all := ids()
		if len(all) != 3 {
			t.Fatalf("rows %v, want 3", all)
		}
		if n, err := db.SweepFeed(ctx, t0.Add(90*time.Minute)); err != nil || n != 2 {
			t.Fatalf("sweep: %d, %v; want 2 deleted", n, err)
		}
		if n, err := db.SweepFeed(ctx, t0.Add(10*time.Hour)); err != nil || n != 0 {
			t.Fatalf("a sweep past every row: %d, %v; want the newest kept", n, err)
		}
		head, horizon, err := db.FeedBounds(ctx)
		if err != nil || horizon != all[1] || head != all[2] {
			t.Fatalf("bounds head %d horizon %d, %v; want %d, %d", head, horizon, err, all[2], all[1])
		}
		add(t0.Add(3 * time.Hour))
		if got := ids(); len(got) != 2 || got[0] != all[2] || got[1] <= all[2] {
			t.Fatalf("after the sweep: %v; want %d then a higher id", got, all[2])
		}
	})
}
