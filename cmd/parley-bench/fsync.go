package main

import (
	"context"
	"fmt"
	"os"
	"time"
)

// The fsync probe: issue 19 bounds Parley's p99 at half of its peak by
// the disk's where the disk sets it (bare echo's p99 + 2 × the fsync
// p99 measured in the same run), since a durable turn waits for one
// fsync and sometimes two (its batch's, and the one it queued behind).
// So while the bare echo server runs its half-peak phase, at the same
// rate and with the same generator on the CPU but nothing else on the
// disk, the probe writes and fdatasyncs a file in the temporary directory
// (where -spawn puts Parley's data) the way SQLite commits to a WAL that
// has started over: 16 KB overwritten in place, then fdatasync, every
// fsyncEvery.

const (
	fsyncEvery = 20 * time.Millisecond
	fsyncWrite = 16 << 10
	fsyncFile  = 4 << 20 // the probe's file; writes wrap around in it
)

// fsyncProbe runs until ctx ends and returns the fdatasync latencies:
// one sample at once, so that a short phase has one, then one every
// fsyncEvery. The file is made and filled before the first sample, so
// no sample grows it.
func fsyncProbe(ctx context.Context, dir string) (summary, error) {
	f, err := os.CreateTemp(dir, "parley-bench-fsync")
	if err != nil {
		return summary{}, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if _, err := f.Write(make([]byte, fsyncFile)); err != nil {
		return summary{}, err
	}
	if err := fdatasync(f); err != nil {
		return summary{}, err
	}
	buf := make([]byte, fsyncWrite)
	var ds []time.Duration
	t := time.NewTicker(fsyncEvery)
	defer t.Stop()
	for off := int64(0); ; off = (off + fsyncWrite) % fsyncFile {
		if _, err := f.WriteAt(buf, off); err != nil {
			return summary{}, err
		}
		start := time.Now()
		if err := fdatasync(f); err != nil {
			return summary{}, fmt.Errorf("fdatasync: %w", err)
		}
		ds = append(ds, time.Since(start))
		select {
		case <-ctx.Done():
			return summarize(ds), nil
		case <-t.C:
		}
	}
}

// withFsyncProbe wraps a phase: the probe runs for as long as drive does,
// and its latencies go into the phase's result. A probe that fails sets
// *err.
func withFsyncProbe(ctx context.Context, drive func() turnResult, err *error) func() turnResult {
	return func() turnResult {
		ctx, stop := context.WithCancel(ctx)
		type probed struct {
			s   summary
			err error
		}
		done := make(chan probed, 1)
		go func() {
			s, err := fsyncProbe(ctx, os.TempDir())
			done <- probed{s, err}
		}()
		r := drive()
		stop()
		p := <-done
		r.Fsync, r.HasFsync, *err = p.s, p.err == nil, p.err
		return r
	}
}

// addFsyncRows adds the probe's p99 and issue 19's bound on Parley's p99
// at half of its peak: bare echo's p99 + 2 × the fsync p99.
func addFsyncRows(r *report, p, b turnResult) {
	if !b.HasFsync {
		return
	}
	fsync := ms(b.Fsync.P99)
	bound := ms(b.Lat.P99) + 2*fsync
	r.one("half-peak fsync p99 (disk, bare's phase)", "ms", fsync)
	r.one("half-peak p99 bound (bare p99 + 2 × fsync p99)", "ms", bound)
	if bound > 0 {
		r.one("half-peak p99 / bound", "×", ms(p.Lat.P99)/bound)
	}
}
