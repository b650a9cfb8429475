package main

import "context"

// evicted: as parked, on a server that evicts idle dialogs after -evict
// (passed as --dialog-idle-evict with -spawn). The heap per conversation
// is read once the server has evicted every dialog, with the sockets
// still open (the conversation stays in memory, without its Lua state),
// and again after the sockets closed and the conversations left memory
// (what an evicted conversation leaves behind). That first round also
// grows the Go runtime's pool of goroutine descriptors, which it keeps
// for reuse; a second round of as many conversations shows what stays
// once that pool is warm.

func runEvicted(ctx context.Context, e *env) (*report, error) {
	n := e.n(2000)
	if err := e.checkFiles(2 * n); err != nil { // the bare echo server holds both ends
		return nil, err
	}
	r := e.newReport("evicted", map[string]any{"n": n, "evict": e.o.Evict.String()})
	p, err := e.parkedOn(ctx, e.parley, n, "evicted", true)
	if err != nil {
		return nil, err
	}
	p2, err := e.parkedOn(ctx, e.parley, n, "evicted-again", true)
	if err != nil {
		return nil, err
	}
	b, err := e.parkedOn(ctx, e.bare, n, "evicted", true)
	if err != nil {
		return nil, err
	}
	po, bo := p.open.server.perUnit(n), bareCost(b.open, p.open).perUnit(n)
	pc := p.closed.server.perUnit(n)
	r.pair("heap per evicted conversation, socket open", "KB", po.Heap, bo.Heap)
	r.pair("stack per evicted conversation, socket open", "KB", po.Stack, bo.Stack)
	r.one("heap left per evicted conversation, socket closed", "KB", pc.Heap)
	r.one("same, second round", "KB", p2.closed.server.perUnit(n).Heap)
	return r, nil
}
