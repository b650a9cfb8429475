package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"parley/rest"
	"parley/runtime"
	"parley/schema"
)

// apikey manages API keys: create, list, revoke. It works on the database
// of the configuration (same data dir or --database-url as serve).
func apikey(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("want a subcommand: create, list or revoke")
	}
	switch args[0] {
	case "create":
		return apikeyCreate(ctx, args[1:], stdout, stderr)
	case "list":
		return apikeyList(ctx, args[1:], stdout, stderr)
	case "revoke":
		return apikeyRevoke(ctx, args[1:], stdout, stderr)
	case "-h", "--help", "help":
		c, _ := lookup("apikey")
		return &helpRequest{commandHelp(c, nil)}
	}
	return usagef("unknown subcommand %q: want create, list or revoke", args[0])
}

// apikeyCreate prints the new key alone on one line of stdout; it is not
// kept anywhere, so it cannot be shown again.
func apikeyCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var user, name, role string
	c, _, err := parse("apikey create", args, stderr, func(fs *pflag.FlagSet) {
		fs.StringVar(&user, "user", "", "the user the key acts as")
		fs.StringVar(&name, "name", "", "a label for the key (what uses it)")
		fs.StringVar(&role, "role", runtime.RoleUser, "user, agent or admin")
	})
	if err != nil {
		return err
	}
	switch {
	case user == "":
		return fmt.Errorf("--user is required")
	case name == "":
		return fmt.Errorf("--name is required")
	case role != runtime.RoleUser && role != runtime.RoleAgent && role != runtime.RoleAdmin:
		return fmt.Errorf("--role must be user, agent or admin")
	}
	db, err := openMigrated(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	key, hash := rest.NewAPIKey()
	if err := db.CreateAPIKey(ctx, &runtime.APIKey{UserID: user, Name: name, Role: role, KeyHash: hash}); err != nil {
		return err
	}
	fmt.Fprintln(stdout, key)
	return nil
}

// apikeyList prints a user's keys, one a line, without the keys.
func apikeyList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var user string
	c, _, err := parse("apikey list", args, stderr, func(fs *pflag.FlagSet) {
		fs.StringVar(&user, "user", "", "whose keys to list")
	})
	if err != nil {
		return err
	}
	if user == "" {
		return fmt.Errorf("--user is required")
	}
	db, err := openMigrated(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	keys, err := db.ListAPIKeys(ctx, user)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tROLE\tCREATED\tLAST USED\tREVOKED")
	for _, k := range keys {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Name, k.Role,
			timeOrDash(k.CreatedAt), timeOrDash(k.LastUsedAt), timeOrDash(k.RevokedAt))
	}
	return tw.Flush()
}

func timeOrDash(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// apikeyRevoke revokes one key by id; requests with it get 401 at once.
func apikeyRevoke(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, fs, err := parse("apikey revoke", args, stderr, nil)
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("want the id of one key (see \"parley apikey list\")")
	}
	db, err := openMigrated(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.RevokeAPIKey(ctx, fs.Arg(0)); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "revoked", fs.Arg(0))
	return nil
}

// openMigrated opens the configured database and brings its schema up to
// date, so that the key commands work before the first serve too.
func openMigrated(ctx context.Context, c Config) (*schema.DB, error) {
	db, err := openStore(ctx, c)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return db, nil
}
