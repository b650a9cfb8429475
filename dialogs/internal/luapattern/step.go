package luapattern

// Parley's addition to gopher-lua's matcher: it counts its steps and asks
// its caller, every CheckEvery of them, whether to go on.
//
// gopher-lua's VM checks the Lua state's context before every instruction,
// but a pattern is matched in Go, within one instruction, and backtracking
// makes some matches take minutes: string.rep("a*", 40) .. "b" against
// 40,000 a's, or "^(.-)%s*$" against 32,000 spaces and an x. A step is one
// instruction of the matcher, or one byte that %b or a back-reference
// (%1) reads, so a match takes time in proportion to its steps.

// CheckEvery is how many steps a match takes between two checks: about
// 10 µs of matching, so a stopped run stops within microseconds, and few
// enough checks that ordinary patterns do not pay for them (most take
// fewer steps than this; BenchmarkPattern in package dialogs).
const CheckEvery = 1024

// machine is one match in progress: the compiled pattern, its subject,
// and the steps left until the next check.
type machine struct {
	src   []byte
	insts []inst
	left  int
	check func() error
}

// stopped is the panic that unwinds a match whose check failed; Find and
// Matcher.Next return err.
type stopped struct{ err error }

func newMachine(src []byte, insts []inst, check func() error) *machine {
	return &machine{src: src, insts: insts, left: CheckEvery, check: check}
}

// step counts one step of the matcher.
func (vm *machine) step() {
	vm.left--
	if vm.left <= 0 {
		vm.checkpoint()
	}
}

// steps counts n steps at once.
func (vm *machine) steps(n int) {
	vm.left -= n
	if vm.left <= 0 {
		vm.checkpoint()
	}
}

func (vm *machine) checkpoint() {
	vm.left = CheckEvery
	if vm.check == nil {
		return
	}
	if err := vm.check(); err != nil {
		panic(stopped{err})
	}
}

// attempt matches the pattern at sp, as gopher-lua's recursiveVM called
// from the top.
func (vm *machine) attempt(sp int) (bool, int, *MatchData) {
	m := newMatchState()
	ok, nsp := vm.run(0, sp, 0, m)
	return ok, nsp, m
}

// Matcher finds the matches of a pattern one at a time, for gmatch: its
// Next calls return, in order, what Find(p, src, 0, -1, check) returns
// at once, with the matching spread over the calls.
type Matcher struct {
	vm   *machine
	head bool // the pattern is anchored (^): one attempt only
	sp   int  // where the next attempt starts
	done bool
}

// NewMatcher parses p; a malformed pattern is an error here, as Find's.
func NewMatcher(p string, src []byte, check func() error) (m *Matcher, err error) {
	defer recoverError(&err)
	pat := parsePattern(newScanner([]byte(p)), true)
	return &Matcher{vm: newMachine(src, compilePattern(pat), check), head: pat.MustHead}, nil
}

// Next returns the next match, or nil when there is none left. An error
// (a back-reference to an open capture, a pattern too complex for the
// input, or check's) ends the matching: later calls return nil.
func (m *Matcher) Next() (md *MatchData, err error) {
	defer func() {
		if err != nil {
			m.done = true
		}
	}()
	defer recoverError(&err)
	for !m.done && m.sp <= len(m.vm.src) {
		ok, nsp, ms := m.vm.attempt(m.sp)
		m.sp++
		if ok && m.sp < nsp {
			m.sp = nsp
		}
		m.done = m.head
		if ok {
			return ms, nil
		}
	}
	return nil, nil
}
