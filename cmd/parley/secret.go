package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"parley/rest"
)

// verifier returns the JWT settings of c: RS256 with the public key in
// the file jwt-public-key when it is set, else HS256 with jwtSecret.
func verifier(c Config) (*rest.JWT, error) {
	if c.JWTPublicKey != "" {
		b, err := os.ReadFile(c.JWTPublicKey)
		if err != nil {
			return nil, fmt.Errorf("jwt public key: %w", err)
		}
		k, err := rest.ParseRSAPublicKey(b)
		if err != nil {
			return nil, fmt.Errorf("jwt public key %s: %w", c.JWTPublicKey, err)
		}
		return &rest.JWT{PublicKey: k}, nil
	}
	secret, err := jwtSecret(c)
	if err != nil {
		return nil, err
	}
	return &rest.JWT{Secret: secret}, nil
}

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
	if err := createOnce(c.Data, path, rand.Text()+rand.Text()+"\n"); err != nil {
		return nil, fmt.Errorf("jwt secret: %w", err)
	}
	return jwtSecret(c)
}

// nodeID returns the configured node id, or the one kept in the data
// directory: a node that restarts keeps its id, and so takes its dialog
// leases back at once instead of waiting for them to lapse.
func nodeID(c Config) (string, error) {
	if c.NodeID != "" {
		return c.NodeID, nil
	}
	path := filepath.Join(c.Data, "node-id")
	b, err := os.ReadFile(path)
	if err == nil && strings.TrimSpace(string(b)) != "" {
		return strings.TrimSpace(string(b)), nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	host, _ := os.Hostname()
	id := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			return r
		}
		return -1
	}, host)
	id = id[:min(len(id), 40)] + "-" + strings.ToLower(rand.Text()[:10])
	if err := createOnce(c.Data, path, id+"\n"); err != nil {
		return "", fmt.Errorf("node id: %w", err)
	}
	return nodeID(c)
}

// createOnce writes content to path unless the file is there already.
// The file appears whole or not at all: it is written and synced under
// another name, then linked into place (link fails if path exists, so two
// processes starting at once agree on one content).
func createOnce(dir, path, content string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(content)
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
		return err
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	return nil
}
