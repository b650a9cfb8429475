package main

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"log/slog"
	"net/http"
	"regexp"
	"strings"

	"parley/web"
)

// webHandler serves the chat page at /, the support console at /support,
// their assets and /widget.js from the embedded web/. Only the embedded
// files are served (no directory listings). Every response carries a
// Content-Security-Policy: the pages load only their own files and talk
// only to their own origin. The chat page's frame-ancestors lists the
// allowed origins, so that only those sites can embed it (the widget's
// iframe); the console acts for an agent and is never framed. See
// docs/web.md and docs/support.md.
func webHandler(allowedOrigins []string, log *slog.Logger) http.Handler {
	ancestors, skipped := frameAncestors(allowedOrigins)
	for _, p := range skipped {
		log.Warn("allowed origin cannot be expressed in CSP frame-ancestors; pages there cannot embed the chat", "pattern", p)
	}
	csp := func(ancestors string) string {
		// blob: shows attachments read with an Authorization header
		// (web/files.js): an <img> or <audio> cannot send one.
		return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; " +
			"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; " +
			"frame-ancestors " + ancestors
	}
	chatCSP, consoleCSP := csp(ancestors), csp("'none'")
	etags := contentETags(web.FS)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := webFile(r.URL.Path)
		if name == "support/" {
			http.Redirect(w, r, "/support", http.StatusMovedPermanently)
			return
		}
		tag, ok := etags[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Security-Policy", chatCSP)
		if name == "support.html" {
			h.Set("Content-Security-Policy", consoleCSP)
		}
		h.Set("X-Content-Type-Options", "nosniff")
		// Revalidate every time, cheaply: the files change only with the
		// binary, and a stale chat.js next to a new server is worse than
		// one 304 round trip.
		h.Set("Cache-Control", "no-cache")
		h.Set("ETag", tag) // http.ServeContent answers If-None-Match with 304
		if name == "widget.js" {
			// Loaded by other sites' pages, some of which isolate
			// themselves (Cross-Origin-Embedder-Policy).
			h.Set("Cross-Origin-Resource-Policy", "cross-origin")
		}
		http.ServeFileFS(w, r, web.FS, name)
	})
}

// webFile is the embedded file a path names: the chat page at /, the
// support console at /support, every other file at its own name.
func webFile(path string) string {
	switch name := strings.TrimPrefix(path, "/"); name {
	case "":
		return "index.html"
	case "support":
		return "support.html"
	default:
		return name
	}
}

// contentETags hashes each embedded file once at startup.
func contentETags(fsys fs.FS) map[string]string {
	tags := map[string]string{}
	fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		tags[path] = `"` + hex.EncodeToString(sum[:8]) + `"`
		return nil
	})
	return tags
}

// cspHost is a host[:port] that a CSP host-source can express: an optional
// leading "*." wildcard (or a lone "*"), and a port that is digits or "*".
var cspHost = regexp.MustCompile(`^(\*|(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*)(:([0-9]+|\*))?$`)

// frameAncestors translates --allowed-origins (the patterns /ws checks
// Origin against, see ws/origin.go) into a CSP frame-ancestors source list,
// so that the sites allowed to open a socket are the sites allowed to
// embed the page:
//
//	(none)                    'self'
//	*                         *
//	*.example.com             http://*.example.com https://*.example.com
//	localhost:*               http://localhost:* https://localhost:*
//	https://app.example.com   https://app.example.com
//
// A pattern without a scheme matches either scheme in the /ws check, so it
// becomes two sources. Patterns CSP cannot express (a wildcard inside a
// name, character classes, IPv6 literals) are returned in skipped and left
// out: embedding is refused rather than widened.
func frameAncestors(patterns []string) (sources string, skipped []string) {
	list := []string{"'self'"}
	for _, p := range patterns {
		p = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(p), "/"))
		scheme, host, hasScheme := strings.Cut(p, "://")
		switch {
		case p == "":
		case p == "*":
			return "*", nil
		case hasScheme && (scheme == "http" || scheme == "https") && cspHost.MatchString(host):
			list = append(list, p)
		case !hasScheme && cspHost.MatchString(p):
			list = append(list, "http://"+p, "https://"+p)
		default:
			skipped = append(skipped, p)
		}
	}
	return strings.Join(list, " "), skipped
}
