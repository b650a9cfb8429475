package main

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
)

// validate checks the options once. The tool only ever talks to this
// machine: every URL it is given must name 127.0.0.1.
func (o *options) validate() error {
	if err := o.checkTarget(); err != nil {
		return err
	}
	if len(o.Scenarios) == 0 {
		return errors.New("-scenario is empty")
	}
	for _, s := range o.Scenarios {
		if !slices.Contains(scenarios, s) {
			return fmt.Errorf("unknown scenario %q (want one of %v or all)", s, scenarios)
		}
	}
	if err := o.checkBounds(); err != nil {
		return err
	}
	if (o.Rate > 0 || o.FindPeak) && !(len(o.Scenarios) == 1 && o.Scenarios[0] == "turns") {
		return errors.New("-rate and -find-peak apply to -scenario turns alone")
	}
	if o.Rate > 0 && o.FindPeak {
		return errors.New("-rate and -find-peak exclude each other: -find-peak picks the rate")
	}
	if !o.Spawn && o.PprofURL == "" && o.needsHeap() {
		return errors.New("idle, parked and evicted read the server's heap: give -pprof http://127.0.0.1:PORT (its --pprof-addr)")
	}
	return nil
}

// checkTarget accepts -spawn or -url, never both, and only local addresses.
func (o *options) checkTarget() error {
	switch {
	case o.Spawn == (o.URL != ""):
		return errors.New("give -spawn or -url http://127.0.0.1:PORT (one of them)")
	case o.Spawn && o.PprofURL != "":
		return errors.New("-pprof is for -url: a spawned server's profile address is read from its log")
	case !o.Spawn && (o.Parley != "" || o.DatabaseURL != ""):
		return errors.New("-parley and -database-url go with -spawn")
	case !o.Spawn && o.JWTSecret == "":
		return errors.New("-url needs -jwt-secret, the server's --jwt-secret")
	}
	if o.URL != "" {
		if err := checkLocalURL(o.URL, "http"); err != nil {
			return fmt.Errorf("-url: %w", err)
		}
	}
	if o.PprofURL != "" {
		if err := checkLocalURL(o.PprofURL, "http"); err != nil {
			return fmt.Errorf("-pprof: %w", err)
		}
	}
	if o.DatabaseURL != "" {
		return checkDatabaseURL(o.DatabaseURL)
	}
	return nil
}

// checkBounds makes sure every scenario stops by itself.
func (o *options) checkBounds() error {
	switch {
	case o.Duration <= 0:
		return errors.New("-duration must be positive: every scenario is bounded in time")
	case o.Deadline <= o.Duration:
		return errors.New("-deadline must be longer than -duration")
	case o.N < 0 || o.Turns < 0 || o.Rate < 0:
		return errors.New("-n, -turns and -rate must not be negative")
	case o.K < 2:
		return errors.New("-k must be at least 2: fanout needs a sender and a receiver")
	case o.Count < 1:
		return errors.New("-count must be at least 1")
	case o.Evict <= 0:
		return errors.New("-evict must be positive")
	}
	return nil
}

func (o *options) needsHeap() bool {
	for _, s := range o.Scenarios {
		if s == "idle" || s == "parked" || s == "evicted" {
			return true
		}
	}
	return false
}

// checkLocalURL accepts scheme://127.0.0.1:PORT with nothing after it.
func checkLocalURL(raw, scheme string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	if u.Scheme != scheme || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%q: want %s://127.0.0.1:PORT", raw, scheme)
	}
	if u.Hostname() != "127.0.0.1" || u.Port() == "" {
		return fmt.Errorf("%q: only 127.0.0.1 with a port is allowed", raw)
	}
	return nil
}

// checkDatabaseURL accepts a PostgreSQL server on this machine.
func checkDatabaseURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("-database-url: %w", err)
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return fmt.Errorf("-database-url: want postgres://…, not %q", u.Scheme)
	}
	if h := u.Hostname(); h != "127.0.0.1" && h != "localhost" {
		return fmt.Errorf("-database-url: only a PostgreSQL on 127.0.0.1 is allowed, not %q", h)
	}
	return nil
}
