package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// history: N users each have a conversation of historyTurns turns (two
// messages each) and read its last page, GET
// /api/conversations/:id/history?limit=50, over and over, all at once.
// The bare echo server serves the same page from memory.

const (
	historyTurns = 60 // 120 messages
	historyPage  = 50
)

type historyResult struct {
	Requests int
	Elapsed  time.Duration
	Lat      summary
	Errors   int
}

func runHistory(ctx context.Context, e *env) (*report, error) {
	n := e.n(8)
	if err := e.checkFiles(2 * n); err != nil { // the bare echo server holds both ends
		return nil, err
	}
	r := e.newReport("history", map[string]any{"n": n, "conversations": n})
	p, err := e.historyOn(ctx, e.parley, n)
	if err != nil {
		return nil, err
	}
	b, err := e.historyOn(ctx, e.bare, n)
	if err != nil {
		return nil, err
	}
	r.pair("requests/s", "req/s", perSecond(p.Requests, p.Elapsed), perSecond(b.Requests, b.Elapsed))
	r.pair("p50 request", "ms", ms(p.Lat.P50), ms(b.Lat.P50))
	r.pair("p90 request", "ms", ms(p.Lat.P90), ms(b.Lat.P90))
	r.pair("p99 request", "ms", ms(p.Lat.P99), ms(b.Lat.P99))
	r.both("requests", "count", float64(p.Requests), float64(b.Requests))
	r.both("errors", "count", float64(p.Errors), float64(b.Errors))
	return r, nil
}

// historyOn fills n conversations on t, then reads them concurrently.
func (e *env) historyOn(ctx context.Context, t *target, n int) (historyResult, error) {
	user := func(i int) string { return e.user("history", i) }
	cs, err := dialAll(ctx, t, n, user, noSession)
	if err != nil {
		return historyResult{}, err
	}
	defer closeAll(cs) // the bare echo server forgets a room without sockets
	if err := fill(ctx, cs); err != nil {
		return historyResult{}, fmt.Errorf("%s: %w", t.name, err)
	}
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: n}, Timeout: turnTimeout}
	defer hc.CloseIdleConnections()
	var rec recorder
	var errs atomic.Int64
	start := time.Now()
	b := newBudget(e.o.Turns, start.Add(e.o.Duration))
	var wg sync.WaitGroup
	for i, c := range cs {
		u := fmt.Sprintf("%s/api/conversations/%s/history?limit=%d", t.base, c.sessionID, historyPage)
		tok := t.token(user(i))
		wg.Go(func() {
			sh := rec.shard()
			defer sh.done()
			for b.take() && ctx.Err() == nil {
				t0 := time.Now()
				if err := readPage(ctx, hc, u, tok); err != nil {
					errs.Add(1)
					continue
				}
				sh.add(time.Since(t0))
			}
		})
	}
	wg.Wait()
	s := rec.summary()
	return historyResult{Requests: s.Count, Elapsed: time.Since(start), Lat: s, Errors: int(errs.Load())}, nil
}

// fill makes historyTurns turns on every socket at once.
func fill(ctx context.Context, cs []*client) error {
	errs := make(chan error, len(cs))
	for i, c := range cs {
		go func() {
			for k := range historyTurns {
				if _, err := c.turn(ctx, fmt.Sprintf("h-%d-%d", i, k)); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range cs {
		if err := <-errs; err != nil {
			return fmt.Errorf("filling a conversation: %w", err)
		}
	}
	return nil
}

// readPage GETs one page and checks it is a full page of messages.
func readPage(ctx context.Context, hc *http.Client, u, token string) error {
	req, err := http.NewRequestWithContext(ctx, "GET", u, nil)
	if err != nil {
		return err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	// Read to EOF (past the JSON's trailing newline) so that the
	// connection is reused, as a browser's would be.
	defer io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("history: %s", resp.Status)
	}
	var page struct {
		Messages []json.RawMessage `json:"messages"`
		HasMore  bool              `json:"has_more"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		return err
	}
	if len(page.Messages) != historyPage || !page.HasMore {
		return fmt.Errorf("history: %d messages, has_more %v", len(page.Messages), page.HasMore)
	}
	return nil
}
