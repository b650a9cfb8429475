package supportapp

import (
	"net/http"
	"strconv"

	"parley/runtime"
)

// Lists page with ?page=1&limit=N: page counts from 1, limit is at most
// maxLimit. Anything else (not a number, zero, negative, too large) is
// 400, never silently clamped: the app asked for something else.

const (
	maxLimit = 100
	maxPage  = 100000 // page × limit stays far from overflowing an offset
)

// page is a page asked for.
type page struct {
	Page, Limit int
}

// offset is how many items come before the page.
func (p page) offset() int { return (p.Page - 1) * p.Limit }

// pageOf reads ?page and ?limit, with limit defaulting to def.
func pageOf(r *http.Request, def int) (page, error) {
	p := page{Page: 1, Limit: def}
	q := r.URL.Query()
	var err error
	if p.Page, err = intParam(q.Get("page"), 1, 1, maxPage, "page"); err != nil {
		return p, err
	}
	p.Limit, err = intParam(q.Get("limit"), def, 1, maxLimit, "limit")
	return p, err
}

// intParam parses v, def when empty, and checks it is within [lo, hi].
func intParam(v string, def, lo, hi int, name string) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, runtime.Errorf(runtime.KindInvalid, "%s must be a whole number from %d to %d", name, lo, hi)
	}
	return n, nil
}

// statusParam reads ?status: empty (any), or one of the support statuses.
func statusParam(r *http.Request) (string, error) {
	st := r.URL.Query().Get("status")
	switch st {
	case "", runtime.SupportOpen, runtime.SupportWaiting, runtime.SupportResolved, runtime.SupportClosed:
		return st, nil
	}
	return "", runtime.Errorf(runtime.KindInvalid, "status must be one of open, waiting, resolved, closed")
}
