package luapattern_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/yuin/gopher-lua/pm"

	"parley/dialogs/internal/luapattern"
)

// findCases cover every construct of gopher-lua's patterns: classes and
// sets, the four quantifiers, anchors, captures and position captures,
// back-references, %b, %f (which gopher-lua reads as a literal f followed
// by a set), offsets and limits, and malformed patterns.
var findCases = []struct {
	pat, src      string
	offset, limit int
}{
	{"", "", 0, -1}, {"", "abc", 0, -1}, {"a", "banana", 0, -1}, {"a", "banana", 2, 1},
	{"an", "banana", 0, 1}, {"x", "banana", 0, -1}, {"o", "hello world", 0, 0}, {"h", "hello", 0, 0},
	{"%a+", "Hello, World 42!", 0, -1}, {"%d+", "a1b22c333", 0, -1}, {"%l%u", "aBcD", 0, -1},
	{"%s+", " a \t\n b ", 0, -1}, {"%w*", "ab_cd", 0, -1}, {"%p", "a.b,c!", 0, -1}, {"%x+", "0xFFg", 0, -1},
	{"%c", "a\x01b", 0, -1}, {"%z", "a\x00b", 0, -1}, {"%A+", "ab12cd", 0, -1}, {"%S+", "  word  ", 0, -1},
	{"[abc]+", "xxabcbay", 0, -1}, {"[^abc]+", "abxyzc", 0, -1}, {"[a-f0-9]+", "deadBEEF99", 0, -1},
	{"[%a_][%w_]*", "1 _id x9", 0, -1}, {"[%]]", "a]b", 0, -1}, {"[a%-z]", "-az", 0, -1}, {"[]", "]", 0, -1},
	{".", "ab", 0, -1}, {"a*", "aaab", 0, -1}, {"a+", "baaa", 0, -1}, {"a-b", "aaab", 0, -1}, {"a?b", "ab b", 0, -1},
	{"^a", "aaa", 0, -1}, {"^a", "baa", 0, -1}, {"a$", "aa", 0, -1}, {"^$", "", 0, -1}, {"$", "abc", 0, -1},
	{"^a*$", "aaa", 0, -1}, {"a$b", "a$b", 0, -1}, {"^", "abc", 1, -1},
	{"(a)(b)", "abab", 0, -1}, {"(a(b))", "ab", 0, -1}, {"()a()", "banana", 0, -1}, {"(%w+)=(%w+)", "a=1, b=2", 0, -1},
	{"(.)%1", "hello", 0, -1}, {"(%a+) %1", "the the cat", 0, -1}, {"%b()", "f(a(b)c) (d", 0, -1}, {"%b[]", "[[x]", 0, -1},
	{"%f[%w]%w+", "foo, bar", 0, -1}, {"%f[%w]", "if f[x]", 0, -1},
	{"^%s*(.-)%s*$", "  hello world  ", 0, 1}, {"^(.-)%s*$", "trim me   ", 0, 1}, {"(.-)(.-)(.-)x", "abcx", 0, -1},
	{"(", "a", 0, -1}, {"a)", "a", 0, -1}, {"[a", "a", 0, -1}, {"%", "a", 0, -1}, {"(%1)", "a", 0, -1},
	{"%0", "a", 0, -1}, {"(a)%2", "aa", 0, -1}, {"a%1", "aa", 0, -1}, {"%b", "a", 0, -1},
	{"a", "aaa", 5, -1}, {"", "abc", 3, -1},
}

// TestFindLikeGopherLua: Find answers exactly as gopher-lua's pm.Find,
// matches, captures and errors alike, with or without a check.
func TestFindLikeGopherLua(t *testing.T) {
	for _, tc := range findCases {
		want := show(pm.Find(tc.pat, []byte(tc.src), tc.offset, tc.limit))
		for _, check := range []func() error{nil, func() error { return nil }} {
			got := show(luapattern.Find(tc.pat, []byte(tc.src), tc.offset, tc.limit, check))
			if got != want {
				t.Errorf("Find(%q, %q, %d, %d) = %s, gopher-lua %s", tc.pat, tc.src, tc.offset, tc.limit, got, want)
			}
		}
	}
}

// TestMatcherLikeFind: a Matcher's matches, one at a time, are Find's.
func TestMatcherLikeFind(t *testing.T) {
	for _, tc := range findCases {
		if tc.offset != 0 {
			continue
		}
		want := show(luapattern.Find(tc.pat, []byte(tc.src), 0, -1, nil))
		if got := matchAll(tc.pat, tc.src, nil); got != want {
			t.Errorf("Matcher(%q, %q) = %s, Find %s", tc.pat, tc.src, got, want)
		}
	}
}

func matchAll(pat, src string, check func() error) string {
	m, err := luapattern.NewMatcher(pat, []byte(src), check)
	if err != nil {
		return show([]*luapattern.MatchData(nil), err)
	}
	var all []*luapattern.MatchData
	for {
		md, err := m.Next()
		if err != nil || md == nil {
			return show(all, err)
		}
		all = append(all, md)
	}
}

// match is a match of either package.
type match interface {
	CaptureLength() int
	Capture(int) int
	IsPosCapture(int) bool
}

// show renders matches: each match's capture positions, and which are
// position captures; or the error.
func show[M match](mds []M, err error) string {
	if err != nil {
		return "error: " + err.Error()
	}
	var b strings.Builder
	for _, m := range mds {
		for i := 0; i < m.CaptureLength(); i++ {
			fmt.Fprintf(&b, "%d/%v ", m.Capture(i), m.IsPosCapture(i))
		}
		b.WriteString("| ")
	}
	return b.String()
}

// slowCases take gopher-lua minutes or more; each must stop at its check.
var slowCases = []struct{ pat, src string }{
	{strings.Repeat("a*", 40) + "b", strings.Repeat("a", 40000)},
	{"^(.-)%s*$", strings.Repeat(" ", 32000) + "x"},
	{"(.-)(.-)(.-)x", strings.Repeat("y", 5000)},
	{"%b()", strings.Repeat("(", 100000)},
	{"%f[%w]%w+$", strings.Repeat("f", 100000) + " "},
	{"(.*)%1%1x", strings.Repeat("ab", 5000)},
}

// TestCheckStops: a match that goes on is asked every CheckEvery steps,
// and stops with the check's error as soon as it returns one.
func TestCheckStops(t *testing.T) {
	errStop := errors.New("stop")
	for _, tc := range slowCases {
		calls := 0
		check := func() error {
			if calls++; calls == 100 {
				return errStop
			}
			return nil
		}
		_, err := luapattern.Find(tc.pat, []byte(tc.src), 0, -1, check)
		if !errors.Is(err, errStop) || calls != 100 {
			t.Errorf("Find(%.20q…): %v after %d checks, want %v after 100", tc.pat, err, calls, errStop)
		}
		calls = 0
		if got := matchAll(tc.pat, tc.src, check); got != "error: stop" || calls != 100 {
			t.Errorf("Matcher(%.20q…): %s after %d checks", tc.pat, got, calls)
		}
	}
}

// TestCheckEvery: a match that never stops is asked once per CheckEvery
// steps, and a short one not at all.
func TestCheckEvery(t *testing.T) {
	calls := 0
	check := func() error { calls++; return nil }
	src := []byte(strings.Repeat("a", 100*luapattern.CheckEvery))
	if _, err := luapattern.Find("^a*$", src, 0, -1, check); err != nil {
		t.Fatal(err)
	}
	// a* takes three steps a byte (split, char, jump).
	if min := 3 * len(src) / luapattern.CheckEvery; calls < min || calls > min+2 {
		t.Errorf("%d checks for %d steps", calls, 3*len(src))
	}
	calls = 0
	luapattern.Find("^%s*(.-)%s*$", []byte("  hello  "), 0, -1, check)
	if calls != 0 {
		t.Errorf("a short match was checked %d times", calls)
	}
}

// FuzzFindLikeGopherLua: for any pattern and subject, Find answers as
// pm.Find. A match of more than a million steps is skipped (the check
// stops it first; pm.Find, the same matcher, would take as long).
//
//	go test -run '^$' -fuzz FuzzFindLikeGopherLua ./dialogs/internal/luapattern
func FuzzFindLikeGopherLua(f *testing.F) {
	for _, tc := range findCases {
		f.Add(tc.pat, tc.src, tc.offset, tc.limit)
	}
	errLong := errors.New("too long")
	f.Fuzz(func(t *testing.T, pat, src string, offset, limit int) {
		calls := 0
		check := func() error {
			if calls++; calls > 1000 {
				return errLong
			}
			return nil
		}
		offset = max(offset, 0)
		got := show(luapattern.Find(pat, []byte(src), offset, limit, check))
		if calls > 1000 {
			t.Skip("too long")
		}
		if want := show(pm.Find(pat, []byte(src), offset, limit)); got != want {
			t.Fatalf("Find(%q, %q, %d, %d) = %s, gopher-lua %s", pat, src, offset, limit, got, want)
		}
		if offset == 0 && limit < 0 {
			if m := matchAll(pat, src, nil); m != got {
				t.Fatalf("Matcher(%q, %q) = %s, Find %s", pat, src, m, got)
			}
		}
	})
}
