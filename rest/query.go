package rest

import (
	"net/url"
	"strconv"
	"time"

	"parley/runtime"
)

// Paging limits of protocol §4.
const (
	defaultHistoryLimit = 50
	maxHistoryLimit     = 100
	defaultListLimit    = 20
	maxListLimit        = 100
)

// parseHistoryQuery reads limit, before and after. before/after take an
// RFC 3339 time or a message id.
func parseHistoryQuery(v url.Values) (runtime.HistoryQuery, error) {
	var q runtime.HistoryQuery
	var err error
	if q.Limit, err = intParam(v, "limit", defaultHistoryLimit, 1, maxHistoryLimit); err != nil {
		return q, err
	}
	if q.BeforeTime, q.BeforeID, err = cursor(v, "before"); err != nil {
		return q, err
	}
	q.AfterTime, q.AfterID, err = cursor(v, "after")
	return q, err
}

// cursor reads parameter name: a time when it parses as RFC 3339, else a
// message id. What starts like a date (four digits and a dash; no
// message id does) must be a valid time: 2026-13-01 is a bad time, not
// an unknown message.
func cursor(v url.Values, name string) (time.Time, string, error) {
	s := v.Get(name)
	if s == "" {
		return time.Time{}, "", nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), "", nil
	}
	if looksLikeDate(s) {
		return time.Time{}, "", runtime.Errorf(runtime.KindInvalid, "%s is not a valid time: use RFC 3339 with a zone, like 2026-01-02T15:04:05Z, or a message id", name)
	}
	return time.Time{}, s, nil
}

func looksLikeDate(s string) bool {
	if len(s) < 5 || s[4] != '-' {
		return false
	}
	for _, c := range s[:4] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// parseListQuery reads participant, bot_id, status, limit and offset.
func parseListQuery(v url.Values) (runtime.ConversationFilter, error) {
	f := runtime.ConversationFilter{BotID: runtime.BotID(v.Get("bot_id")), Status: v.Get("status"), Participant: v.Get("participant")}
	if f.Status != "" && f.Status != runtime.StatusActive && f.Status != runtime.StatusArchived {
		return f, runtime.Errorf(runtime.KindInvalid, "status must be %q or %q", runtime.StatusActive, runtime.StatusArchived)
	}
	var err error
	if f.Limit, err = intParam(v, "limit", defaultListLimit, 1, maxListLimit); err != nil {
		return f, err
	}
	f.Offset, err = intParam(v, "offset", 0, 0, 1<<31-1)
	return f, err
}

// intParam parses a whole-number parameter. Below min is an error; above
// max is clamped to max, as the protocol names max as a cap.
func intParam(v url.Values, name string, def, lo, hi int) (int, error) {
	s := v.Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo {
		return 0, runtime.Errorf(runtime.KindInvalid, "%s must be a whole number >= %d", name, lo)
	}
	return min(n, hi), nil
}
