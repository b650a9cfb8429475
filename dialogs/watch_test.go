package dialogs_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"parley/dialogs"
	"parley/runtime"
)

// watched is an engine on a bots directory in a temp dir, with Watch
// running and its reloads reported on a channel.
type watched struct {
	t       *testing.T
	dir     string
	e       *dialogs.Engine
	reloads chan runtime.BotID
	logs    *logBuffer
}

func writeBot(t *testing.T, dir, slug, manifest, script string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, slug), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, slug, "bot.yaml"), manifest)
	writeFile(t, filepath.Join(dir, slug, "start.lua"), script)
}

func writeFile(t *testing.T, name, data string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func startWatch(t *testing.T) *watched {
	t.Helper()
	dir := t.TempDir()
	writeBot(t, dir, "a", "name: A\ndefault: true\n", "TALK 'a'\n")
	writeBot(t, dir, "t", "name: T\n", "TALK 'v1' while true do TALK('v1 ' .. HEAR()) end\n")
	w := &watched{t: t, dir: dir, reloads: make(chan runtime.BotID, 100), logs: &logBuffer{}}
	e, err := dialogs.New(dialogs.Config{
		Dir:      dir,
		Logger:   slog.New(slog.NewTextHandler(w.logs, nil)),
		OnReload: func(id runtime.BotID) { w.reloads <- id },
	})
	if err != nil {
		t.Fatal(err)
	}
	w.e = e
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() { stopped <- e.Watch(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-stopped; err != nil {
			t.Errorf("Watch: %v", err)
		}
	})
	select {
	case <-e.Watching():
	case err := <-stopped:
		t.Fatalf("Watch: %v", err)
	}
	return w
}

// waitReload waits until a reload reports bot id.
func (w *watched) waitReload(id runtime.BotID) {
	w.t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case got := <-w.reloads:
			if got == id {
				return
			}
		case <-timeout:
			w.t.Fatalf("no reload of %s; log:\n%s", id, w.logs)
		}
	}
}

func (w *watched) version(id runtime.BotID) string {
	w.t.Helper()
	sc, err := w.e.Script(id)
	if err != nil {
		w.t.Fatal(err)
	}
	return sc.Version
}

func (w *watched) bots() string {
	var list []string
	for _, b := range w.e.Bots() {
		s := string(b.ID)
		if b.Default {
			s += "*"
		}
		list = append(list, s)
	}
	return strings.Join(list, " ")
}

func (w *watched) problems(want ...string) {
	w.t.Helper()
	got := w.e.Problems()
	if len(got) != len(want) {
		w.t.Fatalf("problems %q, want %q", got, want)
	}
	for i := range got {
		if !strings.HasPrefix(got[i], want[i]) {
			w.t.Errorf("problem %q, want it to start with %q", got[i], want[i])
		}
	}
}

func TestWatch(t *testing.T) {
	t.Parallel()
	w := startWatch(t)
	v1 := w.version("t")
	old := startChat(t, w.e, "t", nil) // made with v1
	old.begin("talk: v1")

	// An edit: new dialogs get the new version, the old one keeps its.
	const v2src = "TALK 'v2' while true do TALK('v2 ' .. HEAR()) end\n"
	writeFile(t, filepath.Join(w.dir, "t", "start.lua"), v2src)
	w.waitReload("t")
	if v := w.version("t"); v != dialogs.VersionOf(v2src) || v == v1 {
		t.Fatalf("version %s after the edit, want %s", v, dialogs.VersionOf(v2src))
	}
	old.say("x", "talk: v1 x")
	fresh := startChat(t, w.e, "t", nil)
	fresh.begin("talk: v2")
	w.problems()

	// A syntax error: the last good version keeps running.
	writeFile(t, filepath.Join(w.dir, "t", "start.lua"), "TALK 'v3'\n\nif then\n")
	w.waitReload("t")
	w.problems("t/start.lua:3: syntax error near 'then'")
	if v := w.version("t"); v != dialogs.VersionOf(v2src) {
		t.Errorf("a broken bot replaced its last good version")
	}
	if !strings.Contains(w.logs.String(), "t/start.lua:3: syntax error") {
		t.Errorf("the log does not name the file and line:\n%s", w.logs)
	}
	c := startChat(t, w.e, "t", nil)
	c.begin("talk: v2")

	// Fixed.
	writeFile(t, filepath.Join(w.dir, "t", "start.lua"), "TALK 'v4'\n")
	w.waitReload("t")
	w.problems()
	c = startChat(t, w.e, "t", nil)
	c.begin("talk: v4")

	// A new bot, moved in whole as a deploy would.
	staging := t.TempDir()
	writeBot(t, staging, "n", "name: N\n", "TALK 'n'\n")
	if err := os.Rename(filepath.Join(staging, "n"), filepath.Join(w.dir, "n")); err != nil {
		t.Fatal(err)
	}
	w.waitReload("n")
	if got := w.bots(); got != "a* n t" {
		t.Errorf("bots %q after adding n", got)
	}
	// Its files are watched too.
	writeFile(t, filepath.Join(w.dir, "n", "bot.yaml"), "name: New name\n")
	w.waitReload("n")
	if b := w.e.Bots()[1]; b.Name != "New name" {
		t.Errorf("bot %+v", *b)
	}

	// Two defaults: a problem, and the default stays where it was.
	writeFile(t, filepath.Join(w.dir, "n", "bot.yaml"), "name: N\ndefault: true\n")
	w.waitReload("n")
	w.problems(`bots a, n all have "default: true"; exactly one may; a stays the default`)
	if got := w.bots(); got != "a* n t" {
		t.Errorf("bots %q with two defaults", got)
	}
	writeFile(t, filepath.Join(w.dir, "a", "bot.yaml"), "name: A\n")
	w.waitReload("n") // the default moves to n
	w.problems()
	if got := w.bots(); got != "a n* t" {
		t.Errorf("bots %q after a gave up the default", got)
	}

	// A removed folder: the last good version stays, and the log says so.
	if err := os.RemoveAll(filepath.Join(w.dir, "t")); err != nil {
		t.Fatal(err)
	}
	w.waitReload("t")
	if got := w.bots(); got != "a n* t" {
		t.Errorf("bots %q after removing t", got)
	}
	if !strings.Contains(w.logs.String(), "bot folder removed") {
		t.Errorf("log:\n%s", w.logs)
	}
	c = startChat(t, w.e, "t", nil)
	c.begin("talk: v4")
	w.problems()
}

// TestWatchNewBrokenBot: a new folder that does not load is a problem but
// no bot; bot.yaml errors name their line too.
func TestWatchNewBrokenBot(t *testing.T) {
	t.Parallel()
	w := startWatch(t)
	staging := t.TempDir()
	writeBot(t, staging, "b", "name: B\nnmae: x\n", "TALK 'b'\n")
	if err := os.Rename(filepath.Join(staging, "b"), filepath.Join(w.dir, "b")); err != nil {
		t.Fatal(err)
	}
	w.waitReload("b")
	w.problems("b/bot.yaml:2: field nmae not found")
	if got := w.bots(); got != "a* t" {
		t.Errorf("bots %q", got)
	}
	if _, err := w.e.Script("b"); !runtime.IsKind(err, runtime.KindNotFound) {
		t.Errorf("Script(b): %v", err)
	}
	if err := os.RemoveAll(filepath.Join(w.dir, "b")); err != nil {
		t.Fatal(err)
	}
	w.waitReload("b")
	w.problems()
}

// TestReloadWhileRunning: Bots, Script and dialogs from other goroutines
// while the engine reloads (run it with -race).
func TestReloadWhileRunning(t *testing.T) {
	t.Parallel()
	w := startWatch(t)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if len(w.e.Bots()) != 2 {
					t.Error("bots changed")
				}
				sc, err := w.e.Script("t")
				if err != nil {
					t.Error(err)
					return
				}
				h := &fakeHost{mem: newMemory()}
				d, err := w.e.NewDialog(&runtime.Session{ID: "s", BotID: "t"}, sc, h)
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := d.Step(t.Context(), nil); err != nil {
					t.Error(err)
				}
				if ev := h.take(); len(ev) != 1 || !strings.HasPrefix(ev[0], "talk: v") {
					t.Errorf("events %q", ev)
				}
				d.Close()
				_ = w.e.Problems()
			}
		})
	}
	var versions []string
	for i := range 5 {
		src := "TALK 'v" + string(rune('1'+i)) + "' HEAR()\n"
		writeFile(t, filepath.Join(w.dir, "t", "start.lua"), src)
		w.waitReload("t")
		versions = append(versions, w.version("t"))
	}
	close(stop)
	wg.Wait()
	if versions = slices.Compact(versions); len(versions) != 5 {
		t.Errorf("versions %q", versions)
	}
}

// TestWatchWithoutDir: embedded bots cannot change.
func TestWatchWithoutDir(t *testing.T) {
	t.Parallel()
	e := newEngine(t, sourceFS("TALK 'x'"))
	if err := e.Watch(t.Context()); err != nil {
		t.Errorf("Watch: %v", err)
	}
	<-e.Watching() // closed: there is nothing to wait for
	if p := e.Problems(); len(p) != 0 {
		t.Errorf("problems %q", p)
	}
}

// TestWatchHTTPAllow: an edit of http_allow alone is a reload, which the
// runtime sees on the bot (and applies to the next request).
func TestWatchHTTPAllow(t *testing.T) {
	t.Parallel()
	w := startWatch(t)
	writeFile(t, filepath.Join(w.dir, "t", "bot.yaml"), "name: T\nhttp_allow: [api.example.com]\n")
	w.waitReload("t")
	i := slices.IndexFunc(w.e.Bots(), func(b *runtime.Bot) bool { return b.ID == "t" })
	if got := w.e.Bots()[i].HTTPAllow; !slices.Equal(got, []string{"api.example.com"}) {
		t.Errorf("http_allow after the edit: %q", got)
	}
}
