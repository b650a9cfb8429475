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
	q.BeforeTime, q.BeforeID = cursor(v.Get("before"))
	q.AfterTime, q.AfterID = cursor(v.Get("after"))
	return q, nil
}

// cursor is a time when s parses as RFC 3339, else a message id.
func cursor(s string) (time.Time, string) {
	if s == "" {
		return time.Time{}, ""
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), ""
	}
	return time.Time{}, s
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
