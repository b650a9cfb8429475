package main

import (
	"io"
	"strings"
	"testing"
)

func TestParseOptionsAccepts(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"-spawn"},
		{"-spawn", "-scenario", "all"},
		{"-spawn", "-scenario", "turns", "-find-peak"},
		{"-spawn", "-scenario", "turns", "-rate", "100"},
		{"-spawn", "-scenario", "turns", "-botkit=false"},
		{"-spawn", "-database-url", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable&search_path=bench_x"},
		{"-url", "http://127.0.0.1:8080", "-jwt-secret", "s"},
		{"-url", "http://127.0.0.1:8080/", "-jwt-secret", "s", "-scenario", "idle", "-pprof", "http://127.0.0.1:6060"},
	} {
		if _, err := parseOptions(args, io.Discard); err != nil {
			t.Errorf("%q: %v", args, err)
		}
	}
}

func TestParseOptionsRefuses(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args []string
		want string // in the error
	}{
		{nil, "-spawn or -url"},
		{[]string{"-spawn", "-url", "http://127.0.0.1:1"}, "-spawn or -url"},
		{[]string{"-url", "http://localhost:8080", "-jwt-secret", "s"}, "only 127.0.0.1"},
		{[]string{"-url", "http://10.0.0.1:8080", "-jwt-secret", "s"}, "only 127.0.0.1"},
		{[]string{"-url", "http://[::1]:8080", "-jwt-secret", "s"}, "only 127.0.0.1"},
		{[]string{"-url", "http://127.0.0.1", "-jwt-secret", "s"}, "only 127.0.0.1 with a port"},
		{[]string{"-url", "https://127.0.0.1:8080", "-jwt-secret", "s"}, "want http://"},
		{[]string{"-url", "http://127.0.0.1:8080/api", "-jwt-secret", "s"}, "want http://"},
		{[]string{"-url", "http://user@127.0.0.1:8080", "-jwt-secret", "s"}, "want http://"},
		{[]string{"-url", "http://127.0.0.1:8080"}, "-jwt-secret"},
		{[]string{"-url", "http://127.0.0.1:8080", "-jwt-secret", "s", "-scenario", "parked"}, "-pprof"},
		{[]string{"-url", "http://127.0.0.1:8080", "-jwt-secret", "s", "-scenario", "idle", "-pprof", "http://example.com:6060"}, "only 127.0.0.1"},
		{[]string{"-spawn", "-database-url", "postgres://db.example.com/x"}, "only a PostgreSQL on 127.0.0.1"},
		{[]string{"-spawn", "-database-url", "mysql://127.0.0.1/x"}, "want postgres"},
		{[]string{"-spawn", "-scenario", "nope"}, "unknown scenario"},
		{[]string{"-spawn", "-scenario", "fanout", "-rate", "10"}, "-scenario turns alone"},
		{[]string{"-spawn", "-rate", "10", "-find-peak"}, "exclude each other"},
		{[]string{"-spawn", "-duration", "0s"}, "-duration must be positive"},
		{[]string{"-spawn", "-duration", "1m", "-deadline", "30s"}, "-deadline"},
		{[]string{"-spawn", "-k", "1"}, "-k"},
		{[]string{"-spawn", "-n", "-3"}, "negative"},
		{[]string{"-spawn", "stray"}, "unexpected arguments"},
	} {
		_, err := parseOptions(c.args, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want an error with %q", c.args, err, c.want)
		}
	}
}
