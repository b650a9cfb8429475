package dialogs

import (
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// answerKind is HEAR's `as` option: what shape the answer must have.
type answerKind string

const (
	asText    answerKind = "text"
	asNumber  answerKind = "number"
	asInteger answerKind = "integer"
	asBoolean answerKind = "boolean"
	asEmail   answerKind = "email"
	asDate    answerKind = "date"

	// The kinds that take an attachment, not text (api_files.go).
	asImage answerKind = "image"
	asAudio answerKind = "audio"
	asVideo answerKind = "video"
	asFile  answerKind = "file" // any attachment
)

// takesFile reports whether HEAR{as=k} answers with an attachment.
func (k answerKind) takesFile() bool {
	return k == asImage || k == asAudio || k == asVideo || k == asFile
}

// maxExactInt is the largest integer a Lua number (float64) holds exactly.
const maxExactInt = 1 << 53

// parseAnswer reads a user's message as kind. It returns a string (text,
// email, date as YYYY-MM-DD), a float64 (number), an int64 (integer) or a
// bool (boolean), and false when the message does not fit. today returns
// the date that "today" and "tomorrow" are relative to; it is called only
// for such an answer.
//
// It is pure (but for today) and total: any string in, no panic out.
func parseAnswer(kind answerKind, text string, today func() time.Time) (any, bool) {
	if kind == asText || kind == "" {
		return text, true // exactly as sent: the echo bot relies on it
	}
	s := strings.TrimSpace(text)
	switch kind {
	case asNumber:
		return parseNumber(s)
	case asInteger:
		return parseInteger(s)
	case asBoolean:
		return parseBoolean(s)
	case asEmail:
		return parseEmail(s)
	case asDate:
		return parseDate(s, today)
	}
	return nil, false
}

var numberPattern = regexp.MustCompile(`^[+-]?(\d+([.,]\d*)?|[.,]\d+)$`)

// parseNumber accepts plain decimals with a point or a comma as the
// decimal separator ("3.5", "3,5"). "1,000" is refused rather than guessed:
// it is a thousand in English and one in much of Europe.
func parseNumber(s string) (any, bool) {
	if !numberPattern.MatchString(s) {
		return nil, false
	}
	if i := strings.IndexByte(s, ','); i >= 0 {
		if len(s)-i-1 == 3 {
			return nil, false
		}
		s = strings.Replace(s, ",", ".", 1)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil { // more digits than a float64 holds

		return nil, false
	}
	return f, true
}

var integerPattern = regexp.MustCompile(`^#?[+-]?\d+$`)

// parseInteger accepts digits with an optional sign, and a leading "#" as
// people write order numbers; it must fit a Lua number exactly.
func parseInteger(s string) (any, bool) {
	if !integerPattern.MatchString(s) {
		return nil, false
	}
	n, err := strconv.ParseInt(strings.TrimPrefix(s, "#"), 10, 64)
	if err != nil || n > maxExactInt || n < -maxExactInt {
		return nil, false
	}
	return n, true
}

// yesNo maps the yes/no words of several languages (lower case, without
// trailing punctuation) to their meaning.
var yesNo = map[string]bool{
	"yes": true, "y": true, "yeah": true, "yep": true, "yup": true, "sure": true,
	"ok": true, "okay": true, "true": true, "1": true, "of course": true,
	"sí": true, "si": true, "sim": true, "oui": true, "ja": true, "da": true,
	"да": true, "tak": true, "evet": true, "はい": true, "是": true, "对": true,
	"no": false, "n": false, "nope": false, "nah": false, "false": false,
	"0": false, "não": false, "nao": false, "non": false,
	"nein": false, "nee": false, "nej": false, "nie": false, "нет": false,
	"ne": false, "hayır": false, "いいえ": false, "否": false, "不": false,
}

func parseBoolean(s string) (any, bool) {
	s = strings.ToLower(strings.TrimRight(s, ".!?¡¿ "))
	s = strings.Join(strings.Fields(s), " ")
	v, ok := yesNo[s]
	return v, ok
}

// parseEmail accepts a bare address or "Name <address>" and returns the
// address. Unlike mail.ParseAddress it insists on a dotted domain: in a
// chat, "me@localhost" is a typo, not an address.
func parseEmail(s string) (any, bool) {
	a, err := mail.ParseAddress(s)
	if err != nil {
		return nil, false
	}
	at := strings.LastIndexByte(a.Address, '@')
	if at <= 0 || !validDomain(a.Address[at+1:]) {
		return nil, false
	}
	return a.Address, true
}

func validDomain(d string) bool {
	labels := strings.Split(d, ".")
	if len(labels) < 2 || len(labels[len(labels)-1]) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || strings.HasPrefix(l, "-") || strings.HasSuffix(l, "-") ||
			strings.ContainsAny(l, " \t\"'()<>[]\\,;:@") {
			return false
		}
	}
	return true
}

// dateLayouts are the written forms HEAR{as="date"} understands: ISO, and
// the day-first forms used outside the US (never month-first: 03/04 would
// be ambiguous).
var dateLayouts = []string{"2006-01-02", "2006/1/2", "2/1/2006", "2.1.2006", "2-1-2006"}

// relativeDays are words for today and its neighbours in a few languages.
var relativeDays = map[string]int{
	"today": 0, "tomorrow": 1, "yesterday": -1,
	"hoy": 0, "mañana": 1, "manana": 1, "ayer": -1,
	"hoje": 0, "amanhã": 1, "amanha": 1, "ontem": -1,
	"aujourd'hui": 0, "demain": 1, "hier": -1,
	"heute": 0, "morgen": 1, "gestern": -1,
	"oggi": 0, "domani": 1, "ieri": -1,
}

func parseDate(s string, today func() time.Time) (any, bool) {
	if days, ok := relativeDays[strings.ToLower(strings.TrimRight(s, ".!"))]; ok {
		return today().AddDate(0, 0, days).Format(time.DateOnly), true
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format(time.DateOnly), true
		}
	}
	return nil, false
}

// matchChoice finds text among choices ignoring case and extra spaces, and
// returns the choice as the script wrote it.
func matchChoice(text string, choices []string) (string, bool) {
	want := normalize(text)
	for _, c := range choices {
		if strings.EqualFold(normalize(c), want) {
			return c, true
		}
	}
	return "", false
}

func normalize(s string) string { return strings.Join(strings.Fields(s), " ") }
