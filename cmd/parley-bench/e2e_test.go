package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// One short run of every scenario against a spawned parley: the reports
// must be complete and their numbers sane. No timing is asserted (the
// machine is shared); ratios belong in docs/benchmarks.md.
func TestEveryScenarioAgainstParley(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs parley")
	}
	bin, err := buildParley(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		scenario string
		args     []string
		positive []string // Parley's value must be > 0
		zero     []string // Parley's value must be 0
	}{
		// The Botkit peer has a test of its own (below).
		{"turns", []string{"-n", "2", "-turns", "20", "-botkit=false"},
			[]string{"turns/s", "p50 turn", "p99 turn", "turns"}, []string{"errors"}},
		{"turns", []string{"-n", "2", "-turns", "20", "-find-peak", "-botkit=false"},
			[]string{"turns/s", "half-peak turns/s", "half-peak p99 turn", "half-peak rate asked", "half-peak fsync p99 (disk, bare's phase)", "half-peak p99 / bound"}, []string{"errors", "half-peak errors"}},
		{"fanout", []string{"-k", "3", "-turns", "10"},
			[]string{"sends/s", "frames delivered/s", "p99 all K have it"}, []string{"errors"}},
		{"idle", []string{"-n", "30", "-duration", "1s"},
			[]string{"heap per idle socket", "connects/s"}, []string{"errors"}},
		{"parked", []string{"-n", "20"},
			[]string{"heap per conversation, socket open", "heap per parked dialog, socket closed"}, nil},
		{"evicted", []string{"-n", "10", "-evict", "1s"},
			[]string{"heap per evicted conversation, socket open"}, nil},
		{"history", []string{"-n", "2", "-turns", "20"},
			[]string{"requests/s", "p99 request", "requests"}, []string{"errors"}},
		{"floor", []string{"-n", "2", "-turns", "20"},
			[]string{"turns/s", "store floor turns/s", "store floor without journal turns/s"}, nil},
	} {
		t.Run(c.scenario+strings.Join(c.args, ""), func(t *testing.T) {
			args := append([]string{"-spawn", "-parley", bin, "-scenario", c.scenario, "-duration", "5s", "-deadline", "3m", "-json"}, c.args...)
			r := runJSON(t, args)
			for _, name := range c.positive {
				if m := findMetric(t, r, name); !(m.Parley > 0) {
					t.Errorf("%s: parley %v, want > 0", name, m.Parley)
				}
			}
			for _, name := range c.zero {
				if m := findMetric(t, r, name); m.Parley != 0 || (m.Bare != nil && *m.Bare != 0) {
					t.Errorf("%s: %+v, want 0", name, m)
				}
			}
		})
	}
}

// turns with the Botkit peer: every row has its botkit value, the rates
// and latencies a parley / botkit ratio; -botkit=false leaves it out.
func TestTurnsReportHasBotkit(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs parley")
	}
	needBotkit(t)
	bin, err := buildParley(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"-spawn", "-parley", bin, "-scenario", "turns", "-n", "2", "-turns", "20", "-duration", "2s", "-deadline", "3m"}
	r := runJSON(t, append(args, "-json"))
	for _, m := range r.Metrics {
		if m.Botkit == nil {
			t.Errorf("%s: no botkit value", m.Name)
		}
	}
	for _, name := range []string{"turns/s", "p50 turn", "p99 turn"} {
		if m := findMetric(t, r, name); m.Botkit == nil || !(*m.Botkit > 0) || m.BotkitRatio == nil || !(*m.BotkitRatio > 0) {
			t.Errorf("%s: %+v, want a botkit value and ratio > 0", name, m)
		}
	}
	if m := findMetric(t, r, "turns"); m.Botkit == nil || *m.Botkit != 20 || m.BotkitRatio != nil {
		t.Errorf("turns: %+v, want botkit 20 and no ratio", m)
	}
	if m := findMetric(t, r, "errors"); m.Botkit == nil || *m.Botkit != 0 {
		t.Errorf("errors: %+v, want botkit 0", m)
	}
	var table, errb bytes.Buffer
	if code := run(append(args, "-botkit=false"), &table, &errb); code != 0 {
		t.Fatalf("-botkit=false: exit %d: %s", code, errb.String())
	}
	if strings.Contains(table.String(), "botkit") || errb.Len() > 0 {
		t.Errorf("-botkit=false: %s%s", table.String(), errb.String())
	}
}

func runJSON(t *testing.T, args []string) *report {
	t.Helper()
	var out, errb bytes.Buffer
	if code := run(args, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var r report
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	if r.Backend != "sqlite" || len(r.Metrics) == 0 {
		t.Fatalf("report: %s", out.String())
	}
	return &r
}

func findMetric(t *testing.T, r *report, name string) metric {
	t.Helper()
	for _, m := range r.Metrics {
		if m.Name == name {
			return m
		}
	}
	t.Fatalf("no metric %q in %+v", name, r.Metrics)
	return metric{}
}

// The spawned server's data directory goes away with it.
func TestSpawnCleansUp(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs parley")
	}
	t.Setenv("TMPDIR", t.TempDir())
	bin, err := buildParley(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s, err := spawn(t.Context(), bin, "secret", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.base, "http://127.0.0.1:") || !strings.HasPrefix(s.pprof, "http://127.0.0.1:") {
		t.Errorf("addresses %q, %q", s.base, s.pprof)
	}
	if err := s.stop(); err != nil {
		t.Errorf("stop: %v", err)
	}
	left, _ := filepath.Glob(filepath.Join(os.Getenv("TMPDIR"), "parley-bench-data*"))
	if len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}
