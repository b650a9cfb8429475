package dialogs

import (
	"errors"
	"fmt"
	"strings"

	"github.com/yuin/gopher-lua/parse"
)

// syntaxPosition gives a syntax error of src its line and a message for a
// person. gopher-lua reports an error at the end of the file without a
// line (parse.EOF) and names the last token read ("syntax error near
// 'two'" for `if x then TALK("two"`), which points nowhere. Such an
// error is placed where the code ends, on the last token's line, and says
// what was left open: "the 'if' of line 3 has no 'end'". A bad token (an
// unterminated string or comment) is placed where it starts: gopher-lua
// reports a string cut by the end of its line on the next line.
func syntaxPosition(src string, pe *parse.Error) (line int, msg string) {
	msg = pe.Message
	if pe.Token != "" {
		msg = fmt.Sprintf("%s near '%s'", pe.Message, pe.Token)
	}
	lexical := pe.Message != "syntax error" && pe.Message != "parse error" && !strings.HasPrefix(pe.Message, "ambiguous")
	if pe.Pos.Line > 0 && !lexical {
		return pe.Pos.Line, msg
	}
	var open []opener // blocks and brackets not closed yet
	last := 0         // the line of the last token
	sc := parse.NewScanner(strings.NewReader(src), scriptFile)
	lx := &parse.Lexer{}
	for {
		tok, err := sc.Scan(lx)
		if e := (*parse.Error)(nil); errors.As(err, &e) && pe.Pos.Line <= 0 { // a string or comment that runs to the end
			return max(tok.Pos.Line, 1), e.Message + ": it starts on this line and runs to the end of the file"
		} else if err != nil { // a bad token: where it starts (a string ends a line after it)
			return max(tok.Pos.Line, 1), msg
		}
		if tok.Type == parse.EOF {
			break
		}
		lx.PrevTokenType = tok.Type
		last = tok.Pos.Line
		open = track(open, tok.Type, tok.Str, tok.Pos.Line)
	}
	line = max(last, 1)
	if len(open) == 0 {
		if pe.Token != "" {
			return line, fmt.Sprintf("unexpected end of file after '%s'", pe.Token)
		}
		return line, "unexpected end of file"
	}
	o := open[len(open)-1]
	if o.closer == ")" || o.closer == "}" || o.closer == "]" {
		return line, fmt.Sprintf("unexpected end of file: the '%s' of line %d is not closed with '%s'", o.token, o.line, o.closer)
	}
	return line, fmt.Sprintf("unexpected end of file: the '%s' of line %d has no '%s'", o.token, o.line, o.closer)
}

// opener is a block or bracket that a later token closes.
type opener struct {
	token  string // "if", "function", "(", …
	closer string // "end", "until", ")", …
	line   int
	needDo bool // a while or for whose "do" is still to come
}

// track updates the stack of openers with one token.
func track(open []opener, typ int, str string, line int) []opener {
	push := func(token, closer string) []opener {
		return append(open, opener{token: token, closer: closer, line: line})
	}
	pop := func() []opener {
		if len(open) == 0 {
			return open
		}
		return open[:len(open)-1]
	}
	switch typ {
	case parse.TFunction:
		return push("function", "end")
	case parse.TIf:
		return push("if", "end")
	case parse.TWhile, parse.TFor:
		open = push(str, "end")
		open[len(open)-1].needDo = true
		return open
	case parse.TDo:
		if n := len(open); n > 0 && open[n-1].needDo {
			open[n-1].needDo = false
			return open
		}
		return push("do", "end")
	case parse.TRepeat:
		return push("repeat", "until")
	case parse.TEnd, parse.TUntil:
		return pop()
	case '(':
		return push("(", ")")
	case '{':
		return push("{", "}")
	case '[':
		return push("[", "]")
	case ')', '}', ']':
		return pop()
	}
	return open
}
