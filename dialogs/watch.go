package dialogs

import (
	"context"
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"

	"parley/runtime"
)

// debounce is how long Watch waits after the last change before it
// reloads: an editor's save is several events (write, chmod, rename).
const debounce = 150 * time.Millisecond

// Watch reloads bots when their folders change on disk, until ctx ends
// (it then returns nil). It watches Config.Dir and each folder in it
// (not deeper: a bot's tests/ do not matter). Without a Dir it returns nil
// at once. It may be called once.
//
// A reload of a bot folder that loads replaces the bot: new dialogs (and
// Script) get its new version, dialogs already made keep theirs. A folder
// that does not load keeps the bot's last good version running, logs each
// error with file and line, and is listed by Problems until it is fixed.
// A new folder adds a bot; a removed folder keeps the last good version
// until the next restart (and says so in the log). If the folders break
// the "exactly one default" rule, the default stays what it was and
// Problems says why. Config.OnReload is called for each bot a reload
// changed.
func (e *Engine) Watch(ctx context.Context) error {
	dir := e.cfg.Dir
	if dir == "" {
		e.watchOnce.Do(func() { close(e.watching) })
		return nil
	}
	if !e.watched.CompareAndSwap(false, true) {
		return errors.New("dialogs: Watch called twice")
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	defer w.Close()
	if err := w.Add(dir); err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, ent := range entries {
		if ent.IsDir() {
			e.watchFolder(w, filepath.Join(dir, ent.Name()))
		}
	}
	// Whatever changed between New and now.
	e.reload(nil, true)
	e.watchOnce.Do(func() { close(e.watching) })

	timer := time.NewTimer(time.Hour)
	timer.Stop()
	dirty := map[string]bool{}
	all := false
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			slug, whole := e.affected(w, ev)
			switch {
			case whole:
				all = true
			case slug != "":
				dirty[slug] = true
			default:
				continue
			}
			timer.Reset(debounce)
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			// Events may have been lost (a queue overflow): look at everything.
			e.cfg.Logger.Warn("watching bots", "dir", dir, "err", err)
			all = true
			timer.Reset(debounce)
		case <-timer.C:
			e.reload(slices.Sorted(maps.Keys(dirty)), all)
			clear(dirty)
			all = false
		}
	}
}

// Watching is closed once Watch watches the bots directory: a change made
// after it is seen. Without a Dir it is closed when Watch is called.
func (e *Engine) Watching() <-chan struct{} { return e.watching }

// watchFolder adds a bot folder to the watch. Hidden folders (.git) are
// not bots and are left alone.
func (e *Engine) watchFolder(w *fsnotify.Watcher, path string) {
	if strings.HasPrefix(filepath.Base(path), ".") {
		return
	}
	if err := w.Add(path); err != nil {
		e.cfg.Logger.Warn("watching a bot folder", "dir", path, "err", err)
	}
}

// affected returns the bot folder an event is about, or whole when it is
// about the bots directory itself. A new folder is watched from now on.
func (e *Engine) affected(w *fsnotify.Watcher, ev fsnotify.Event) (slug string, whole bool) {
	rel, err := filepath.Rel(e.cfg.Dir, ev.Name)
	if err != nil || rel == "." {
		return "", true
	}
	parts := strings.Split(filepath.ToSlash(rel), "/")
	if parts[0] == ".." || strings.HasPrefix(parts[0], ".") {
		return "", false
	}
	if len(parts) == 1 && ev.Has(fsnotify.Create) {
		if st, err := os.Stat(ev.Name); err == nil && st.IsDir() {
			e.watchFolder(w, ev.Name)
		}
	}
	return parts[0], false
}

// reload loads the given bot folders again (all of them, and every bot
// known, when all is set) and publishes the result as one new botSet.
func (e *Engine) reload(slugs []string, all bool) {
	e.reloading.Lock()
	cur := e.set.Load()
	if all {
		slugs = e.allSlugs(cur)
	}
	next := &botSet{
		bots:     maps.Clone(cur.bots),
		problems: maps.Clone(cur.problems),
		gone:     maps.Clone(cur.gone),
	}
	if next.problems == nil {
		next.problems = map[runtime.BotID][]string{}
	}
	if next.gone == nil {
		next.gone = map[runtime.BotID]bool{}
	}
	for _, slug := range slugs {
		e.reloadBot(next, slug)
	}
	def, err := pickDefault(next.bots)
	if err != nil {
		def = cur.def
		next.defProblem = err.Error() + "; " + string(def) + " stays the default"
		if next.defProblem != cur.defProblem {
			e.cfg.Logger.Error("bots reloaded with a problem", "err", next.defProblem)
		}
	}
	next.def = def
	next.bots = withDefault(next.bots, def)
	teams := e.reloadTeams(cur, next)
	e.set.Store(next)
	e.reloading.Unlock()

	if e.cfg.OnReload != nil {
		for _, id := range append(changedBots(cur, next), teams...) {
			e.cfg.OnReload(id)
		}
	}
}

// reloadTeams loads every team folder again into next, checked against
// next's bots: teams hold no state, so all of them are read on any change.
// A team that does not load keeps its last good version and is listed by
// Problems; a removed team folder removes the team. It returns the teams
// that changed (what Teams or Problems says of them), sorted.
func (e *Engine) reloadTeams(cur, next *botSet) []runtime.BotID {
	teams, errs := loadTeams(e.cfg.Bots, next.bots)
	next.teamProblems = map[runtime.BotID][]string{}
	for id, list := range errs {
		texts := make([]string, len(list))
		for i, err := range list {
			texts[i] = err.Error()
		}
		next.teamProblems[id] = texts
		if old := cur.teams[id]; old != nil {
			teams[id] = old
		}
		if !slices.Equal(texts, cur.teamProblems[id]) {
			for _, t := range texts {
				e.cfg.Logger.Error("team does not load; its last good version, if any, stays", "team", id, "err", t)
			}
		}
	}
	for id, t := range teams {
		if old := cur.teams[id]; old == nil {
			e.cfg.Logger.Info("team added", "team", id, "members", t.Members)
		} else if errs[id] == nil && !sameTeam(old, t) {
			e.cfg.Logger.Info("team reloaded", "team", id, "members", t.Members)
		}
	}
	next.teams = teams
	var changed []runtime.BotID
	for id := range maps.Keys(cur.teams) {
		if teams[id] == nil {
			e.cfg.Logger.Info("team folder removed; the team is gone", "team", id)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(unionKeys(cur.teams, teams, cur.teamProblems, next.teamProblems))) {
		a, b := cur.teams[id], teams[id]
		if (a == nil) != (b == nil) || (a != nil && !sameTeam(a, b)) ||
			!slices.Equal(cur.teamProblems[id], next.teamProblems[id]) {
			changed = append(changed, id)
		}
	}
	return changed
}

func unionKeys(a, b map[runtime.BotID]*runtime.Team, c, d map[runtime.BotID][]string) map[runtime.BotID]bool {
	out := map[runtime.BotID]bool{}
	for _, m := range []map[runtime.BotID]*runtime.Team{a, b} {
		for k := range m {
			out[k] = true
		}
	}
	for _, m := range []map[runtime.BotID][]string{c, d} {
		for k := range m {
			out[k] = true
		}
	}
	return out
}

func sameTeam(a, b *runtime.Team) bool {
	return a.Name == b.Name && slices.Equal(a.Members, b.Members) &&
		a.SummaryBot == b.SummaryBot && a.MemberTimeout == b.MemberTimeout
}

// allSlugs lists the folders of the bots directory and the bots known.
func (e *Engine) allSlugs(cur *botSet) []string {
	set := map[string]bool{}
	if entries, err := fs.ReadDir(e.cfg.Bots, "."); err == nil {
		for _, ent := range entries {
			if ent.IsDir() {
				set[ent.Name()] = true
			}
		}
	} else {
		e.cfg.Logger.Error("reading the bots directory", "dir", e.cfg.Dir, "err", err)
	}
	for id := range cur.bots {
		set[string(id)] = true
	}
	for id := range cur.problems {
		set[string(id)] = true
	}
	return slices.Sorted(maps.Keys(set))
}

// reloadBot loads one bot folder into next.
func (e *Engine) reloadBot(next *botSet, slug string) {
	id := runtime.BotID(slug)
	log := e.cfg.Logger.With("bot", id)
	old := next.bots[id]
	if !isBotDir(e.cfg.Bots, slug) {
		delete(next.problems, id)
		if old != nil && !next.gone[id] {
			next.gone[id] = true
			log.Warn("bot folder removed; its last good version keeps running until the next restart",
				"version", old.script.Version)
		}
		return
	}
	delete(next.gone, id)
	b, errs := loadBot(e.cfg.Bots, slug)
	if len(errs) > 0 {
		texts := make([]string, len(errs))
		for i, err := range errs {
			texts[i] = err.Error()
		}
		if slices.Equal(texts, next.problems[id]) {
			return // an event that changed nothing; said already
		}
		next.problems[id] = texts
		msg := "bot does not load"
		if old != nil {
			msg = "bot does not load; its last good version keeps running"
		}
		for _, err := range errs {
			attrs := []any{"err", err.Error()}
			var se *ScriptError
			if errors.As(err, &se) {
				attrs = append(attrs, "file", se.File, "line", se.Line)
			}
			log.Error(msg, attrs...)
		}
		return
	}
	delete(next.problems, id)
	if old != nil && old.script.Version == b.script.Version && old.info.Name == b.info.Name &&
		old.info.Description == b.info.Description && old.declared == b.declared &&
		slices.Equal(old.info.HTTPAllow, b.info.HTTPAllow) {
		return // unchanged: keep the published bot
	}
	if old != nil && old.script.Version != b.script.Version {
		e.old.put(versionKey{id, old.script.Version}, old.proto)
	}
	next.bots[id] = b
	if old == nil {
		log.Info("bot added", "version", b.script.Version)
	} else {
		log.Info("bot reloaded", "version", b.script.Version, "was", old.script.Version)
	}
}

// sameInfo reports whether Bots says the same of a and b.
func sameInfo(a, b runtime.Bot) bool {
	return a.ID == b.ID && a.Name == b.Name && a.Description == b.Description &&
		a.Default == b.Default && slices.Equal(a.HTTPAllow, b.HTTPAllow)
}

// changedBots lists, sorted, the bots whose state differs between two
// sets: what Bots, Script or Problems say about them, or their folder
// being gone.
func changedBots(a, b *botSet) []runtime.BotID {
	ids := map[runtime.BotID]bool{}
	for _, s := range []*botSet{a, b} {
		for id := range s.bots {
			ids[id] = true
		}
		for id := range s.problems {
			ids[id] = true
		}
	}
	var out []runtime.BotID
	for _, id := range slices.Sorted(maps.Keys(ids)) {
		x, y := a.bots[id], b.bots[id]
		same := x == y || (x != nil && y != nil && sameInfo(x.info, y.info) && x.script.Version == y.script.Version)
		if !same || a.gone[id] != b.gone[id] || !slices.Equal(a.problems[id], b.problems[id]) {
			out = append(out, id)
		}
	}
	return out
}
