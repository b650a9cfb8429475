package dialogs

import (
	"fmt"
	"io/fs"
	"maps"
	"math"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/yuin/gopher-lua/ast"

	"parley/runtime"
)

// What `parley check` finds in a start.lua that compiles, by walking its
// syntax tree (gopher-lua's parse and ast) with Lua's scoping rules, as
// gopher-lua's compiler resolves names:
//
//   - errors: a global read or called that nothing defines (not a
//     keyword, not in the sandbox, not USER, never assigned by the script:
//     a misspelt name, a keyword that does not exist, print); a field of a
//     library table that does not exist (string.formt); a keyword called
//     with too few or too many arguments, or with a literal of the wrong
//     type; a literal option table with an unknown key or a value of the
//     wrong type or outside its set (HEAR{choises = …}, HEAR{as =
//     "numbr"}, TALK{txt = …}). Keywords are checked against keywordDocs.
//     A literal attachment of TALK that is not a file of the bot's folder,
//     and a literal URL (HTTP_GET, HTTP_POST, TALK) whose host no
//     http_allow entry names, are errors too: they are refused every time.
//   - warnings: a global read, at the top level of the script, before
//     anything in the script sets it, and not inside a loop that sets it.
//     Every run of a script starts in a fresh Lua state (doc.go), so such
//     a value can only have come from an earlier run, and it never does:
//     it is nil there (`count = (count or 0) + 1`, `if not greeted then`).
//     What must outlive a run goes through SET and GET. Reads inside
//     functions are not judged: when they run is not known. A global that
//     replaces a keyword or a library name is a warning too.
//
// Only what is certain is an error: a script that sets globals by
// computed names (_G[k] = v, rawset(_G, …)) gets no unknown-global errors,
// a value that is not a literal is not type-checked, and a call whose last
// argument may expand (f(), ...) is only checked for too many arguments.

// sandboxGlobals are the globals of the standard library a script gets,
// and sandboxFields the entries of its library tables ("string" →
// "byte", …): sandbox.go's library, less what newState removes.
// TestCheckKnowsTheSandbox holds them equal to a real state's.
var sandboxGlobals, sandboxFields = func() (map[string]bool, map[string]map[string]bool) {
	globals := map[string]bool{}
	for _, e := range library[""] {
		globals[e.key] = true
	}
	fields := map[string]map[string]bool{}
	for _, name := range libraryTables {
		fields[name] = map[string]bool{}
		for _, e := range library[name] {
			if _, gone := removedFields[name+"."+e.key]; !gone {
				fields[name][e.key] = true
			}
		}
	}
	return globals, fields
}()

// removedFields are the library entries newState takes away
// (hardenString), with a hint as removedGlobals has.
var removedFields = map[string]string{"string.dump": "", "string.__index": ""}

// newerLua are library entries of later Lua versions that have another
// name in Lua 5.1.
var newerLua = map[string]string{"table.unpack": "use unpack", "table.pack": "use {...}", "math.tointeger": "use math.floor"}

// isPredefined reports whether a script starts with the global name.
func isPredefined(name string) bool {
	return sandboxGlobals[name] || api[name] != nil || name == "USER"
}

// botFacts is what the checker knows of a script's bot folder, for the
// literal files and URLs of its keyword calls.
type botFacts struct {
	fsys fs.FS
	slug string
	// allow is bot.yaml's http_allow; nil when bot.yaml does not load
	// (then URLs are not judged).
	allow []runtime.HTTPAllowEntry
}

// lintScript returns the problems of a parsed start.lua; file names it in
// them ("pizza/start.lua").
func lintScript(file string, chunk []ast.Stmt, bot *botFacts) []Problem {
	l := &linter{file: file, bot: bot, globals: map[string]*globalUse{}, libWrites: map[string]bool{}}
	l.scope = &scope{names: map[string]bool{}}
	l.block(chunk)
	l.finish()
	return l.problems
}

type linter struct {
	file     string
	bot      *botFacts
	problems []Problem
	scope    *scope
	funcs    int               // how deep in function bodies the walk is
	seq      int               // the order of reads and writes in the walk
	loops    []map[string]bool // the globals set in each enclosing loop
	globals  map[string]*globalUse
	// libWrites are the library entries the script sets ("string.trim").
	libWrites map[string]bool
	libReads  []libRead
	calls     []*ast.FuncCallExpr // of keywords, checked when the walk is over
	dynamic   bool                // globals are set by computed names
}

type scope struct {
	parent *scope
	names  map[string]bool
}

// globalUse is what the script does with one global.
type globalUse struct {
	firstWrite     int // seq of the first assignment; 0: none
	firstWriteLine int
	reads          []globalRead
}

type globalRead struct {
	line, seq int
	top       bool              // at the top level, not in a function body
	call      bool              // the read is a call's function
	loops     []map[string]bool // the loops around it
	visible   []string          // locals in scope, for "did you mean"
}

type libRead struct {
	lib, field string
	line       int
}

func (l *linter) report(line int, warning bool, format string, args ...any) {
	l.problems = append(l.problems, Problem{File: l.file, Line: line, Message: fmt.Sprintf(format, args...), Warning: warning})
}

func (l *linter) open()  { l.scope = &scope{parent: l.scope, names: map[string]bool{}} }
func (l *linter) close() { l.scope = l.scope.parent }

func (l *linter) declare(names ...string) {
	for _, n := range names {
		l.scope.names[n] = true
	}
}

func (l *linter) isLocal(name string) bool {
	for s := l.scope; s != nil; s = s.parent {
		if s.names[name] {
			return true
		}
	}
	return false
}

func (l *linter) visible() []string {
	var out []string
	for s := l.scope; s != nil; s = s.parent {
		for n := range s.names {
			out = append(out, n)
		}
	}
	return out
}

func (l *linter) use(name string) *globalUse {
	g := l.globals[name]
	if g == nil {
		g = &globalUse{}
		l.globals[name] = g
	}
	return g
}

// read notes a read of name, a global unless a local is in scope.
func (l *linter) read(name string, line int, call bool) {
	if l.isLocal(name) {
		return
	}
	l.seq++
	r := globalRead{line: line, seq: l.seq, top: l.funcs == 0, call: call, loops: slices.Clone(l.loops)}
	if !isPredefined(name) {
		r.visible = l.visible()
	}
	g := l.use(name)
	g.reads = append(g.reads, r)
}

// write notes an assignment to name.
func (l *linter) write(name string, line int) {
	if l.isLocal(name) {
		return
	}
	l.seq++
	g := l.use(name)
	if g.firstWrite == 0 {
		g.firstWrite, g.firstWriteLine = l.seq, line
		switch {
		case api[name] != nil:
			l.report(line, true, "this sets the global %s, which replaces the keyword %s for the rest of the run", name, name)
		case sandboxGlobals[name] || name == "USER":
			l.report(line, true, "this sets the global %s, which replaces Lua's %s for the rest of the run", name, name)
		}
	}
	for _, loop := range l.loops {
		loop[name] = true
	}
}

func (l *linter) block(stmts []ast.Stmt) {
	for _, s := range stmts {
		l.stmt(s)
	}
}

// scoped walks stmts in a scope of their own, with names declared in it.
func (l *linter) scoped(stmts []ast.Stmt, names ...string) {
	l.open()
	l.declare(names...)
	l.block(stmts)
	l.close()
}

// loop walks a loop's body: f runs with the loop noted.
func (l *linter) loop(f func()) {
	l.loops = append(l.loops, map[string]bool{})
	f()
	l.loops = l.loops[:len(l.loops)-1]
}

func (l *linter) stmt(s ast.Stmt) {
	switch s := s.(type) {
	case *ast.AssignStmt:
		l.exprs(s.Rhs)
		for _, e := range s.Lhs {
			l.target(e)
		}
	case *ast.LocalAssignStmt:
		// As gopher-lua compiles it: `local function f` and `local f =
		// function` both see f in the body.
		if len(s.Names) == 1 && len(s.Exprs) == 1 {
			if _, ok := s.Exprs[0].(*ast.FunctionExpr); ok {
				l.declare(s.Names...)
			}
		}
		l.exprs(s.Exprs)
		l.declare(s.Names...)
	case *ast.FuncCallStmt:
		l.expr(s.Expr)
	case *ast.DoBlockStmt:
		l.scoped(s.Stmts)
	case *ast.WhileStmt:
		l.loop(func() {
			l.expr(s.Condition)
			l.scoped(s.Stmts)
		})
	case *ast.RepeatStmt:
		l.loop(func() { // until sees the body's locals
			l.open()
			l.block(s.Stmts)
			l.expr(s.Condition)
			l.close()
		})
	case *ast.IfStmt:
		l.expr(s.Condition)
		l.scoped(s.Then)
		l.scoped(s.Else)
	case *ast.NumberForStmt:
		l.expr(s.Init)
		l.expr(s.Limit)
		if s.Step != nil {
			l.expr(s.Step)
		}
		l.loop(func() { l.scoped(s.Stmts, s.Name) })
	case *ast.GenericForStmt:
		l.exprs(s.Exprs)
		l.loop(func() { l.scoped(s.Stmts, s.Names...) })
	case *ast.FuncDefStmt:
		if s.Name.Func != nil {
			l.target(s.Name.Func)
			l.function(s.Func)
		} else { // function a:m(): a method, with self
			l.expr(s.Name.Receiver)
			l.function(s.Func, "self")
		}
	case *ast.ReturnStmt:
		l.exprs(s.Exprs)
	}
}

// target walks the left side of an assignment.
func (l *linter) target(e ast.Expr) {
	switch e := e.(type) {
	case *ast.IdentExpr:
		l.write(e.Value, e.Line())
	case *ast.AttrGetExpr:
		obj, _ := e.Object.(*ast.IdentExpr)
		key, isConst := e.Key.(*ast.StringExpr)
		switch {
		case obj != nil && obj.Value == "_G" && !l.isLocal("_G"):
			if isConst {
				l.write(key.Value, e.Line())
			} else {
				l.dynamic = true
			}
		case obj != nil && isConst && sandboxFields[obj.Value] != nil && !l.isLocal(obj.Value):
			l.libWrites[obj.Value+"."+key.Value] = true
		}
		l.expr(e.Object)
		if !isConst {
			l.expr(e.Key)
		}
	default:
		l.expr(e)
	}
}

func (l *linter) function(f *ast.FunctionExpr, implicit ...string) {
	l.funcs++
	l.open()
	l.declare(implicit...)
	l.declare(f.ParList.Names...)
	l.block(f.Stmts)
	l.close()
	l.funcs--
}

func (l *linter) exprs(es []ast.Expr) {
	for _, e := range es {
		l.expr(e)
	}
}

func (l *linter) expr(e ast.Expr) {
	switch e := e.(type) {
	case *ast.IdentExpr:
		l.read(e.Value, e.Line(), false)
	case *ast.AttrGetExpr:
		if obj, ok := e.Object.(*ast.IdentExpr); ok && sandboxFields[obj.Value] != nil && !l.isLocal(obj.Value) {
			if key, ok := e.Key.(*ast.StringExpr); ok {
				l.libReads = append(l.libReads, libRead{lib: obj.Value, field: key.Value, line: e.Line()})
			}
		}
		l.expr(e.Object)
		l.expr(e.Key)
	case *ast.FuncCallExpr:
		if id, ok := e.Func.(*ast.IdentExpr); ok {
			l.read(id.Value, id.Line(), true)
			if !l.isLocal(id.Value) {
				l.globalCall(id.Value, e)
			}
		} else if e.Func != nil {
			l.expr(e.Func)
		} else {
			l.expr(e.Receiver)
		}
		l.exprs(e.Args)
	case *ast.TableExpr:
		for _, f := range e.Fields {
			if f.Key != nil {
				l.expr(f.Key)
			}
			l.expr(f.Value)
		}
	case *ast.FunctionExpr:
		l.function(e)
	case *ast.LogicalOpExpr:
		l.expr(e.Lhs)
		l.expr(e.Rhs)
	case *ast.RelationalOpExpr:
		l.expr(e.Lhs)
		l.expr(e.Rhs)
	case *ast.StringConcatOpExpr:
		l.expr(e.Lhs)
		l.expr(e.Rhs)
	case *ast.ArithmeticOpExpr:
		l.expr(e.Lhs)
		l.expr(e.Rhs)
	case *ast.UnaryMinusOpExpr:
		l.expr(e.Expr)
	case *ast.UnaryNotOpExpr:
		l.expr(e.Expr)
	case *ast.UnaryLenOpExpr:
		l.expr(e.Expr)
	}
}

// globalCall notes a call of a global function: a keyword's is checked
// later, rawset(_G, …) sets globals by computed names.
func (l *linter) globalCall(name string, c *ast.FuncCallExpr) {
	switch {
	case api[name] != nil:
		l.calls = append(l.calls, c)
	case name == "rawset" || name == "setmetatable":
		if len(c.Args) > 0 {
			if id, ok := c.Args[0].(*ast.IdentExpr); ok && id.Value == "_G" && !l.isLocal("_G") {
				l.dynamic = true
			}
		}
	}
}

// finish reports what needs the whole script: unknown names (a global may
// be set after its first read), reads before the first write, and the
// keyword calls.
func (l *linter) finish() {
	for _, name := range slices.Sorted(maps.Keys(l.globals)) {
		g := l.globals[name]
		switch {
		case isPredefined(name):
		case g.firstWrite == 0:
			if !l.dynamic {
				l.unknown(name, g)
			}
		default:
			l.readBeforeWrite(name, g)
		}
	}
	for _, r := range l.libReads {
		if l.globals[r.lib] != nil && l.globals[r.lib].firstWrite > 0 || l.libWrites[r.lib+"."+r.field] || sandboxFields[r.lib][r.field] {
			continue
		}
		full := r.lib + "." + r.field
		if hint, ok := removedFields[full]; ok {
			l.report(r.line, false, "%s is not available to bots%s", full, hintText(hint))
			continue
		}
		msg := fmt.Sprintf("%s is not in Lua's %s library", full, r.lib)
		if hint, ok := newerLua[full]; ok {
			msg += " (" + hint + ": gopher-lua is Lua 5.1)"
		} else if s := suggest(r.field, slices.Collect(maps.Keys(sandboxFields[r.lib]))); s != "" {
			msg += fmt.Sprintf(" (did you mean %s.%s?)", r.lib, s)
		}
		l.report(r.line, false, "%s", msg)
	}
	for _, c := range l.calls {
		name := c.Func.(*ast.IdentExpr).Value
		if g := l.globals[name]; g != nil && g.firstWrite > 0 {
			continue // the script's own
		}
		l.checkCall(keywordDoc(name), c)
	}
}

func hintText(hint string) string {
	if hint == "" {
		return ""
	}
	return "; " + hint
}

// unknown reports each line that reads a global nothing defines.
func (l *linter) unknown(name string, g *globalUse) {
	seen := map[int]bool{}
	for _, r := range g.reads {
		if seen[r.line] {
			continue
		}
		seen[r.line] = true
		if hint, ok := removedGlobals[name]; ok {
			l.report(r.line, false, "%s is not available to bots%s", name, hintText(hint))
			continue
		}
		candidates := append(r.visible, apiNames...)
		candidates = append(candidates, "USER")
		for n, gl := range l.globals {
			if gl.firstWrite > 0 {
				candidates = append(candidates, n)
			}
		}
		for n := range sandboxGlobals {
			candidates = append(candidates, n)
		}
		msg := fmt.Sprintf("unknown global %q", name)
		if s := suggest(name, candidates); s != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", s)
		} else if r.call && strings.ToUpper(name) == name {
			msg += " (no keyword has this name)"
		}
		l.report(r.line, false, "%s", msg)
	}
}

// readBeforeWrite warns of the first top-level read of a global that
// comes before anything sets it, outside any loop that sets it.
func (l *linter) readBeforeWrite(name string, g *globalUse) {
	for _, r := range g.reads {
		if !r.top || r.seq > g.firstWrite || slices.ContainsFunc(r.loops, func(loop map[string]bool) bool { return loop[name] }) {
			continue
		}
		if r.call {
			l.report(r.line, true, "%s is called before the script defines it (line %d): it is nil here", name, g.firstWriteLine)
		} else {
			l.report(r.line, true, "global %s is read before the script sets it (line %d): each run starts in a fresh Lua state, so it is nil here; keep what must outlive a run with SET and GET", name, g.firstWriteLine)
		}
		return
	}
}

// checkCall checks a keyword call's arguments against k.
func (l *linter) checkCall(k *KeywordDoc, c *ast.FuncCallExpr) {
	line, args := c.Line(), c.Args
	n := len(args)
	open := n > 0 && expands(args[n-1]) // f() or ... may give any number of values
	lo, hi := k.arity()
	switch fixed := n; {
	case open && hi >= 0 && n-1 > hi, !open && hi >= 0 && n > hi, !open && n < lo:
		if open {
			fixed = n - 1
		}
		msg := fmt.Sprintf("%s takes %s, not %d", k.Signature(), arguments(lo, hi), fixed)
		if k.Name == "TALK" && fixed > 1 {
			msg += ` (join texts with "..")`
		}
		l.report(line, false, "%s", msg)
		return
	}
	for i, a := range args {
		if open && i == n-1 {
			break
		}
		p := k.param(i)
		if p == nil {
			break
		}
		lit, ok := literalOf(a)
		if !ok {
			continue
		}
		if !fits(p.Type, lit, true) && (lit.kind != "nil" || !p.Optional) {
			msg := fmt.Sprintf("%s: %s must be %s, not %s", k.Name, p.Name, typeText(p.Type), lit.text)
			if k.Name == "HEAR" && lit.kind == "string" {
				msg += ": to ask, TALK the question, then HEAR()"
			}
			l.report(lineOf(a, line), false, "%s", msg)
			continue
		}
		if i == 0 && lit.kind == "string" && (k.Name == "HTTP_GET" || k.Name == "HTTP_POST") {
			l.checkURL(k.Name, lit.str, lineOf(a, line))
		}
		if i == 0 && k.Options != nil && lit.kind == "table" {
			l.checkOptions(k, a.(*ast.TableExpr), line)
		} else if lit.kind == "table" {
			l.checkList(k.Name, p.Name, p.Type, a.(*ast.TableExpr), line)
		}
	}
}

// param is the parameter that argument i goes to, or nil.
func (k KeywordDoc) param(i int) *ParamDoc {
	if i < len(k.Params) {
		return &k.Params[i]
	}
	if n := len(k.Params); n > 0 && k.Params[n-1].Variadic {
		return &k.Params[n-1]
	}
	return nil
}

// checkOptions checks a literal table of options: named keys that k
// has, each with a value of its type and set.
func (l *linter) checkOptions(k *KeywordDoc, t *ast.TableExpr, line int) {
	listed := false
	for _, f := range t.Fields {
		at := lineOf(f.Value, line)
		if f.Key == nil {
			if !listed {
				l.report(at, false, "%s{…} takes named options (%s), not a list: write %s{%s = …}", k.Name, k.optionNames(), k.Name, k.Options[0].Name)
				listed = true
			}
			continue
		}
		key, ok := f.Key.(*ast.StringExpr)
		if !ok {
			continue
		}
		at = lineOf(f.Key, at)
		o := k.option(key.Value)
		if o == nil {
			names := make([]string, len(k.Options))
			for i, o := range k.Options {
				names[i] = o.Name
			}
			if s := suggest(key.Value, names); s != "" {
				l.report(at, false, "%s: unknown option %q (did you mean %s?)", k.Name, key.Value, s)
			} else {
				l.report(at, false, "%s: unknown option %q (%s takes %s)", k.Name, key.Value, k.Name, k.optionNames())
			}
			continue
		}
		lit, ok := literalOf(f.Value)
		switch {
		case !ok || lit.kind == "nil": // a nil value is no key at all
		case !fits(o.Type, lit, false):
			l.report(at, false, "%s: %s must be %s, not %s", k.Name, o.Name, typeText(o.Type), lit.text)
		case o.Values != nil && lit.kind == "string" && !slices.Contains(o.Values, lit.str):
			msg := fmt.Sprintf("%s: %s must be one of %s, not %s", k.Name, o.Name, strings.Join(o.Values, ", "), lit.text)
			if s := suggest(lit.str, o.Values); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			l.report(at, false, "%s", msg)
		case lit.kind == "table":
			l.checkList(k.Name, o.Name, o.Type, f.Value.(*ast.TableExpr), at)
		}
		if k.Name == "TALK" && o.Name == "attachments" {
			l.checkAttachments(f.Value, at)
		}
	}
}

// checkList checks the literal items of a list given for a parameter or
// option of type typ (string[], or a union with one).
func (l *linter) checkList(keyword, name, typ string, t *ast.TableExpr, line int) {
	var elem string
	for _, alt := range strings.Split(typ, "|") {
		if e, ok := strings.CutSuffix(alt, "[]"); ok {
			elem = e
		}
	}
	if elem == "" {
		return
	}
	for _, f := range t.Fields {
		if f.Key != nil {
			continue
		}
		if lit, ok := literalOf(f.Value); ok && !fits(elem, lit, true) {
			l.report(lineOf(f.Value, line), false, "%s: %s must be %s, not a list holding %s", keyword, name, typeText(typ), lit.text)
			return
		}
	}
}

// checkAttachments checks the literal names of TALK's attachments as
// TALK does (botFile), and that the files of the bot's folder exist.
func (l *linter) checkAttachments(v ast.Expr, line int) {
	var names []*ast.StringExpr
	switch v := v.(type) {
	case *ast.StringExpr:
		names = append(names, v)
	case *ast.TableExpr:
		for _, f := range v.Fields {
			if s, ok := f.Value.(*ast.StringExpr); ok && f.Key == nil {
				names = append(names, s)
			}
		}
	}
	for _, s := range names {
		at := lineOf(s, line)
		f, err := (&dialog{}).botFile(s.Value)
		switch {
		case err != nil:
			l.report(at, false, "TALK: %v", err)
		case f.Open == nil:
			l.checkURL("TALK", s.Value, at)
		case l.bot != nil:
			fi, err := fs.Stat(l.bot.fsys, path.Join(l.bot.slug, s.Value))
			switch {
			case err != nil:
				l.report(at, false, "TALK: %s: no such file in the bot's folder", s.Value)
			case !fi.Mode().IsRegular():
				l.report(at, false, "TALK: %s is not a file", s.Value)
			}
		}
	}
}

// checkURL reports a literal URL whose host no http_allow entry names:
// the request is refused whenever it is made. Ports are not judged, so
// that only a sure refusal is an error (outbound/allow.go has the rules).
func (l *linter) checkURL(keyword, raw string, line int) {
	if l.bot == nil || l.bot.allow == nil {
		return
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	for _, e := range l.bot.allow {
		if !e.Wildcard && e.Host == host || e.Wildcard && strings.HasSuffix(host, "."+e.Host) {
			return
		}
	}
	l.report(line, false, "%s: %s is not in this bot's http_allow (bot.yaml)", keyword, host)
}

// expands reports whether e may stand for any number of values as the
// last argument of a call.
func expands(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.FuncCallExpr:
		return !e.AdjustRet
	case *ast.Comma3Expr:
		return !e.AdjustRet
	}
	return false
}

func arguments(lo, hi int) string {
	plural := func(n int) string {
		if n == 1 {
			return "1 argument"
		}
		return fmt.Sprintf("%d arguments", n)
	}
	switch {
	case hi < 0:
		return "at least " + plural(lo)
	case lo == hi:
		return plural(lo)
	case lo == 0:
		return "at most " + plural(hi)
	case hi == lo+1:
		return fmt.Sprintf("%d or %s", lo, plural(hi))
	}
	return fmt.Sprintf("%d to %s", lo, plural(hi))
}

func lineOf(e ast.Expr, def int) int {
	if e != nil && e.Line() > 0 {
		return e.Line()
	}
	return def
}

// literal is a value known without running the script.
type literal struct {
	kind string // nil, boolean, number, string, table, function
	str  string // a string's value
	num  float64
	text string // how a message shows it
}

// literalOf returns e's value when it is a literal (or an operator whose
// result has a known type).
func literalOf(e ast.Expr) (literal, bool) {
	switch e := e.(type) {
	case *ast.NilExpr:
		return literal{kind: "nil", text: "nil"}, true
	case *ast.TrueExpr:
		return literal{kind: "boolean", text: "true"}, true
	case *ast.FalseExpr:
		return literal{kind: "boolean", text: "false"}, true
	case *ast.UnaryNotOpExpr, *ast.RelationalOpExpr:
		return literal{kind: "boolean", text: "a boolean"}, true
	case *ast.NumberExpr:
		n, ok := parseLuaNumber(e.Value)
		if !ok {
			return literal{}, false
		}
		return literal{kind: "number", num: n, text: e.Value}, true
	case *ast.StringExpr:
		return literal{kind: "string", str: e.Value, text: quote(e.Value)}, true
	case *ast.TableExpr:
		return literal{kind: "table", text: "a table"}, true
	case *ast.FunctionExpr:
		return literal{kind: "function", text: "a function"}, true
	}
	return literal{}, false
}

// quote shows a string literal, cut to 40 bytes.
func quote(s string) string {
	if len(s) > 40 {
		return strconv.Quote(s[:37]) + "…"
	}
	return strconv.Quote(s)
}

// parseLuaNumber reads a number as Lua writes it (decimal or 0x hex).
func parseLuaNumber(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if h, ok := strings.CutPrefix(strings.ToLower(s), "0x"); ok {
		n, err := strconv.ParseUint(h, 16, 64)
		return float64(n), err == nil
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// fits reports whether lit can be given where typ is expected. With
// coerce, as for a keyword's arguments, what Lua's argument checks let
// through is allowed (a number where a string goes, a numeric string
// where a number goes, any number where an integer goes: RANDOM
// truncates), so that only what is surely wrong is an error; options are
// taken as they are (their types say string|number where a number will
// do).
func fits(typ string, lit literal, coerce bool) bool {
	for _, alt := range strings.Split(typ, "|") {
		switch {
		case alt == "any", alt == lit.kind,
			alt == "integer" && lit.kind == "number" && lit.num == math.Trunc(lit.num),
			strings.HasSuffix(alt, "[]") && lit.kind == "table":
			return true
		case !coerce:
		case alt == "string" && lit.kind == "number":
			return true
		case (alt == "number" || alt == "integer") && lit.kind == "string":
			if _, ok := parseLuaNumber(lit.str); ok {
				return true
			}
		case alt == "integer" && lit.kind == "number": // RANDOM(1.5, 2) truncates
			return true
		}
	}
	return false
}

// typeText words a type for a message: "a string or a table".
func typeText(typ string) string {
	alts := strings.Split(typ, "|")
	for i, alt := range alts {
		switch {
		case alt == "integer":
			alts[i] = "a whole number"
		case alt == "any", alt == "nil":
		case strings.HasSuffix(alt, "[]"):
			alts[i] = "a list of " + strings.TrimSuffix(alt, "[]") + "s"
		default:
			alts[i] = "a " + alt
		}
	}
	return strings.Join(alts, " or ")
}

// suggest returns the candidate closest to name, if one is close enough
// to be a likely typo: the same but for case, or at most one edit away
// (none for names of one or two letters, two for names of five or more),
// a swap of neighbours counting as one.
func suggest(name string, candidates []string) string {
	best, bestD := "", math.MaxInt
	for _, c := range candidates {
		if c == name {
			continue
		}
		d := editDistance(name, c)
		if strings.EqualFold(name, c) {
			d = 0
		}
		if d < bestD || d == bestD && c < best {
			best, bestD = c, d
		}
	}
	limit := 1
	switch {
	case len(name) < 3: // one letter from anything
		limit = 0
	case len(name) >= 5:
		limit = 2
	}
	if bestD > limit {
		return ""
	}
	return best
}

// editDistance is the optimal string alignment distance of a and b.
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
