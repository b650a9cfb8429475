package runtime_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// allowed is the import policy of design.md, as data: for each package of
// the module, the imports it may have beyond the standard library. Module
// packages are named by their directory; other modules by path prefix.
// ws, rest, schema, dialogs and outbound never import each other: they
// meet in runtime, and cmd wires them. ws and rest share inbound and wire.
var allowed = map[string][]string{
	"runtime":             {},
	"runtime/runtimetest": {"parley/runtime"},
	"bots":                {},
	"web":                 {},
	"dialogs":             {"parley/runtime", "parley/dialogs/internal/luapattern", "github.com/yuin/gopher-lua", "go.yaml.in/yaml/v3", "gopkg.in/yaml.v3", "github.com/fsnotify/fsnotify"},
	"schema":              {"parley/runtime", "github.com/jmoiron/sqlx", "github.com/lib/pq", "modernc.org/sqlite", "github.com/google/uuid"},
	"schema/schematest":   {"github.com/lib/pq"},
	"ws":                  {"parley/runtime", "parley/inbound", "parley/wire", "github.com/coder/websocket", "golang.org/x/time/rate"},
	"rest":                {"parley/runtime", "parley/inbound", "parley/wire", "github.com/golang-jwt/jwt/v5", "golang.org/x/time/rate"},
	// inbound reads who a request is and where it comes from, and wire is
	// the one JSON shape of a message: the same for ws and rest, which
	// share them rather than import each other.
	"inbound":  {"parley/runtime"},
	"wire":     {"parley/runtime"},
	"outbound": {"parley/runtime"},
	// llm is the LLM client of scripts (runtime.LLM); llmtest, a stub of
	// its endpoint for tests, is the standard library alone.
	"llm":         {"parley/runtime", "github.com/openai/openai-go/v3"},
	"llm/llmtest": {},
	// uploads keeps the bytes of files and sniffs their types.
	"uploads": {"parley/runtime", "github.com/gabriel-vasile/mimetype"},
	// uploads/s3 keeps them in an S3-compatible bucket instead.
	"uploads/s3": {"parley/runtime", "github.com/minio/minio-go/v7"},
	// supportapp is the support app's interface (Socket.IO and
	// /api/v1/chat): an adapter like ws and rest, which it never imports.
	"supportapp": {"parley/runtime", "parley/inbound", "parley/wire", "github.com/zishang520/", "golang.org/x/time/rate"},
	"cmd/parley": {"parley/", "github.com/spf13/viper", "github.com/spf13/pflag", "golang.org/x/tools/txtar", "github.com/prometheus/client_golang/"},
	// parley-bench drives the server over the wire only; schema is for
	// the floor scenario, which writes to a database with no server.
	"cmd/parley-bench": {"github.com/coder/websocket", "github.com/golang-jwt/jwt/v5", "github.com/google/uuid", "parley/schema"},
	// luapattern is gopher-lua's pattern matcher (its pm package), copied
	// so that a match stops when the turn's time budget runs out.
	"dialogs/internal/luapattern": {},
	// gendocs is the command behind go generate ./dialogs: it writes the
	// annotations and the reference from the keyword table.
	"dialogs/internal/gendocs": {"parley/dialogs"},
}

func TestDependencyRule(t *testing.T) {
	root := ".."
	seen := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() && d.Name() == "node_modules" {
			return filepath.SkipDir // npm's packages (web/e2e, parley-bench's Botkit peer)
		}
		if err == nil && d.IsDir() && path != root {
			// A directory with a go.mod of its own is another module,
			// whose imports are its own: third_party/gopher-lua, which
			// go.mod's replace directive puts in gopher-lua's place
			// (imported as github.com/yuin/gopher-lua).
			if _, statErr := os.Stat(filepath.Join(path, "go.mod")); statErr == nil {
				return filepath.SkipDir
			}
		}
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		rel = filepath.ToSlash(rel)
		if strings.HasPrefix(rel, "node_modules") || strings.Contains(rel, "testdata") {
			return nil
		}
		rules, ok := allowed[rel]
		if !ok {
			if !seen[rel] {
				t.Errorf("package %s is not in the import policy; add it to allowed in %s", rel, "runtime/deps_test.go")
				seen[rel] = true
			}
			return nil
		}
		checkImports(t, path, rules)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func checkImports(t *testing.T, path string, rules []string) {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		if isStd(p) || permitted(p, rules) {
			continue
		}
		t.Errorf("%s imports %s, which the dependency rule forbids", path, p)
	}
}

// isStd reports whether p is a standard library package: its first
// element has no dot and it is not this module.
func isStd(p string) bool {
	first, _, _ := strings.Cut(p, "/")
	return !strings.Contains(first, ".") && first != "parley"
}

func permitted(p string, rules []string) bool {
	for _, r := range rules {
		if p == r || (strings.HasSuffix(r, "/") && strings.HasPrefix(p, r)) || strings.HasPrefix(p, r+"/") {
			return true
		}
	}
	return false
}
