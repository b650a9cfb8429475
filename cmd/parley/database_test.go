package main

import (
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// The database settings: --database-url chooses PostgreSQL, and the pool
// sizes come from flags, PARLEY_* variables or parley.yaml like the rest.
func TestDatabaseConfig(t *testing.T) {
	load := func(args ...string) (Config, error) {
		fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
		configFlags(fs)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		return loadConfig(fs)
	}
	c, err := load("--db-max-open-conns", "3", "--db-max-idle-conns", "2", "--database-url", "postgresql://db/parley")
	if err != nil || c.DBMaxOpenConns != 3 || c.DBMaxIdleConns != 2 || c.DatabaseURL != "postgresql://db/parley" {
		t.Fatalf("flags: %+v, %v", c, err)
	}
	t.Setenv("PARLEY_DB_MAX_OPEN_CONNS", "7")
	if c, err := load(); err != nil || c.DBMaxOpenConns != 7 || c.DBMaxIdleConns != 0 || c.DatabaseURL != "" {
		t.Fatalf("env: %+v, %v", c, err)
	}
	for _, args := range [][]string{
		{"--db-max-open-conns", "-1"},
		{"--db-max-idle-conns", "-2"},
		{"--database-url", "mysql://db/parley"},
		{"--database-url", "postgresfoo://db"},
	} {
		if _, err := load(args...); err == nil || !strings.Contains(err.Error(), strings.TrimPrefix(args[0], "--")) {
			t.Errorf("%v accepted: %v", args, err)
		}
	}
}
