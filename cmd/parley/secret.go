package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// jwtSecret returns the configured secret, or the one kept in the data
// directory, generating it on first use so that `parley token` and
// `parley serve` agree without any set-up.
func jwtSecret(c Config) ([]byte, error) {
	if c.JWTSecret != "" {
		return []byte(c.JWTSecret), nil
	}
	path := filepath.Join(c.Data, "jwt-secret")
	b, err := os.ReadFile(path)
	if err == nil {
		secret := strings.TrimSpace(string(b))
		if secret == "" {
			// An empty HMAC key would accept tokens anyone can sign.
			return nil, fmt.Errorf("jwt secret: %s is empty; delete it to generate a new one", path)
		}
		return []byte(secret), nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if err := createSecret(c.Data, path); err != nil {
		return nil, err
	}
	return jwtSecret(c)
}

// createSecret writes a new secret to path unless one is there already.
// The file appears whole or not at all: it is written and synced under
// another name, then linked into place (link fails if path exists, so two
// processes starting at once agree on one secret).
func createSecret(dir, path string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".jwt-secret-*")
	if err != nil {
		return fmt.Errorf("jwt secret: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(rand.Text() + rand.Text() + "\n")
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o600)
	}
	if err != nil {
		return fmt.Errorf("jwt secret: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("jwt secret: %w", err)
	}
	return nil
}
