package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"time"
)

// The checks of a chaos run that need the stored history, made once the
// clients have stopped: the history is the counting bot's conversation
// without a flaw, and every client saw exactly it.

var historyClient = &http.Client{Timeout: 10 * time.Second}

// fetchHistory reads a conversation's whole history, oldest first, a
// page at a time. It does not fail the test: clients call it too.
func fetchHistory(base, sid, token string) ([]frame, error) {
	var all []frame
	after := "1970-01-01T00:00:00Z" // a time: pages go oldest first from it
	for {
		var page historyBody
		path := fmt.Sprintf("%s/api/conversations/%s/history?limit=100&after=%s", base, sid, url.QueryEscape(after))
		if err := getJSON(path, token, &page); err != nil {
			return all, err
		}
		all = append(all, page.Messages...)
		if !page.HasMore || len(page.Messages) == 0 {
			return all, nil
		}
		after = page.Messages[len(page.Messages)-1].ID
	}
}

func getJSON(u, token string, out any) error {
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := historyClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return fmt.Errorf("GET %s: %d %s", u, resp.StatusCode, data)
	}
	return json.Unmarshal(data, out)
}

// checkConversation checks one conversation's history and its clients.
func (r *chaosRun) checkConversation(cv *chaosConv, clients []*chaosClient) {
	h, err := fetchHistory(r.liveURL(), cv.sid, cv.token)
	if err != nil {
		r.fail("%s (%s): history: %v", cv.user, cv.sid, err)
		return
	}
	r.checkCounting(cv, h)
	r.checkAcked(cv, h, clients[0].acked)
	for _, c := range clients {
		r.checkSaw(c, h)
	}
}

// checkCounting: seqs 1..n without a gap; the user's k-th message at seq
// 2k-1 and the bot's "r<k>:<it>" right after it: each message stored
// once, answered once, in order, by a dialog that never started over.
func (r *chaosRun) checkCounting(cv *chaosConv, h []frame) {
	for i, m := range h {
		if m.Seq != int64(i+1) {
			r.fail("%s (%s): history has seq %d at position %d: a gap or a repeat", cv.user, cv.sid, m.Seq, i+1)
			return
		}
	}
	for i := 0; i < len(h); i += 2 {
		k := i/2 + 1
		u, want := h[i], fmt.Sprintf("%s m%d", cv.user, k)
		if u.Sender != "user" || u.Content != want || u.ClientID != fmt.Sprintf("c%d", k) {
			r.fail("%s (%s): seq %d is %s %q (client_id %q); want the user's %q (c%d)", cv.user, cv.sid, u.Seq, u.Sender, u.Content, u.ClientID, want, k)
			return
		}
		if i+1 == len(h) {
			r.fail("%s (%s): the last message, seq %d %q, was never answered", cv.user, cv.sid, u.Seq, u.Content)
			return
		}
		if b, ans := h[i+1], fmt.Sprintf("r%d:%s", k, want); b.Sender != "bot" || b.Content != ans {
			r.fail("%s (%s): seq %d is %s %q; want the answer %q", cv.user, cv.sid, b.Seq, b.Sender, b.Content, ans)
			return
		}
	}
}

// checkAcked: every acknowledged client_id is stored once, at the seq of
// its acknowledgement.
func (r *chaosRun) checkAcked(cv *chaosConv, h []frame, acked map[string]int64) {
	stored := map[string][]int64{}
	for _, m := range h {
		if m.ClientID != "" {
			stored[m.ClientID] = append(stored[m.ClientID], m.Seq)
		}
	}
	for id, seq := range acked {
		if got := stored[id]; len(got) != 1 || got[0] != seq {
			r.fail("%s (%s): %s was acknowledged as seq %d; stored at %v", cv.user, cv.sid, id, seq, got)
		}
	}
}

// checkSaw: the client's message frames, by seq, are the history, all of
// it.
func (r *chaosRun) checkSaw(c *chaosClient, h []frame) {
	if c.lastSeq != int64(len(h)) || len(c.seen) != len(h) {
		r.fail("%s (%s): saw %d messages up to seq %d; history has %d", c.name, c.conv.sid, len(c.seen), c.lastSeq, len(h))
	}
	for _, m := range h {
		f, ok := c.seen[m.Seq]
		if ok && (f.ID != m.ID || f.Sender != m.Sender || f.Content != m.Content) {
			r.fail("%s (%s): saw seq %d as %s %q (%s); stored %s %q (%s)", c.name, c.conv.sid, m.Seq, f.Sender, f.Content, f.ID, m.Sender, m.Content, m.ID)
			return
		}
	}
}

// quantile of ds (sorted in place); 0 when empty.
func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[int(q*float64(len(ds)-1)+0.5)]
}
