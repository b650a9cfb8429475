package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// The turn generators. A turn is one user message and the echo bot's
// reply; its latency runs from the send (open loop: from when the send
// was due) to the reply's arrival. Every content is unique in its
// conversation (phase, socket, number), so a reply finds its turn.

// turnResult is one phase of turns on one target.
type turnResult struct {
	Turns   int
	Elapsed time.Duration // first send to last reply
	Lat     summary
	Errors  int // failed sends, replies later than turnTimeout, dead sockets
	// CPU is the CPU time the server used through the phase, when its
	// process is known (target.cpu).
	CPU    time.Duration
	HasCPU bool
	// Fsync is the fsync probe's latencies through the phase (fsync.go),
	// when it ran.
	Fsync    summary
	HasFsync bool
}

// cpuPerTurn is the server's CPU time per turn, in µs.
func (r turnResult) cpuPerTurn() float64 {
	if !r.HasCPU || r.Turns == 0 {
		return 0
	}
	return float64(r.CPU.Microseconds()) / float64(r.Turns)
}

func (r turnResult) rate() float64 { return perSecond(r.Turns, r.Elapsed) }

// phase collects one phase's numbers from many goroutines.
type phase struct {
	name  string
	start time.Time
	rec   recorder
	errs  atomic.Int64
	mu    sync.Mutex
	last  time.Time
}

func newPhase(name string, start time.Time) *phase { return &phase{name: name, start: start} }

func (p *phase) content(socket, k int) string { return fmt.Sprintf("%s-%d-%d", p.name, socket, k) }

// finished records a goroutine's last reply time.
func (p *phase) finished(last time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if last.After(p.last) {
		p.last = last
	}
}

func (p *phase) result() turnResult {
	s := p.rec.summary()
	return turnResult{Turns: s.Count, Elapsed: p.last.Sub(p.start), Lat: s, Errors: int(p.errs.Load())}
}

// driveClosed runs closed loop: each socket sends, waits for the reply,
// and sends again, until -duration or -turns.
func driveClosed(ctx context.Context, cs []*client, name string, o options) turnResult {
	p := newPhase(name, time.Now())
	b := newBudget(o.Turns, p.start.Add(o.Duration))
	var wg sync.WaitGroup
	for i, c := range cs {
		wg.Go(func() {
			sh := p.rec.shard()
			defer sh.done()
			var last time.Time
			for k := 0; b.take(); k++ {
				t0 := time.Now()
				at, err := c.turn(ctx, p.content(i, k))
				if err != nil {
					p.errs.Add(1)
					if errors.Is(err, errEnded) || ctx.Err() != nil {
						break
					}
					continue
				}
				sh.add(at.Sub(t0))
				last = at
			}
			p.finished(last)
		})
	}
	wg.Wait()
	return p.result()
}

// driveOpen runs open loop: the sockets send rate turns per second in
// all, on a fixed schedule whatever the replies do, so a slow server
// shows as latency (measured from when each send was due).
func driveOpen(ctx context.Context, cs []*client, name string, o options, rate float64) turnResult {
	p := newPhase(name, time.Now().Add(10*time.Millisecond))
	end := p.start.Add(o.Duration)
	b := newBudget(o.Turns, end)
	interval := time.Duration(float64(len(cs)) / rate * float64(time.Second))
	var wg sync.WaitGroup
	for i, c := range cs {
		offset := time.Duration(i) * interval / time.Duration(len(cs))
		wg.Go(func() {
			s := &openSocket{c: c, p: p, i: i, due: map[string]time.Time{}, sent: make(chan struct{})}
			go s.send(ctx, b, p.start.Add(offset), interval, end)
			s.receive(end.Add(turnTimeout))
		})
	}
	wg.Wait()
	return p.result()
}

// openSocket is one socket of an open-loop phase: a sender on a schedule
// and a receiver matching replies to their due times.
type openSocket struct {
	c    *client
	p    *phase
	i    int
	mu   sync.Mutex
	due  map[string]time.Time // content → when it was due; pending replies
	sent chan struct{}        // closed when the sender is done
}

func (s *openSocket) send(ctx context.Context, b *budget, first time.Time, interval time.Duration, end time.Time) {
	defer close(s.sent)
	for k := 0; ; k++ {
		due := first.Add(time.Duration(k) * interval)
		if !due.Before(end) {
			return
		}
		time.Sleep(time.Until(due))
		if !b.take() || ctx.Err() != nil {
			return
		}
		content := s.p.content(s.i, k)
		s.mu.Lock()
		s.due[content] = due
		s.mu.Unlock()
		wctx, cancel := context.WithTimeout(ctx, turnTimeout)
		err := s.c.send(wctx, content)
		cancel()
		if err != nil {
			s.p.errs.Add(1)
			s.take(content)
			return
		}
	}
}

func (s *openSocket) take(content string) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	due, ok := s.due[content]
	delete(s.due, content)
	return due, ok
}

func (s *openSocket) pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.due)
}

// receive matches replies until the sender is done and nothing is
// pending, or until drain; what is still pending then is an error.
func (s *openSocket) receive(drain time.Time) {
	sh := s.p.rec.shard()
	defer sh.done()
	var last time.Time
	defer func() { s.p.finished(last) }()
	timeout := time.NewTimer(time.Until(drain))
	defer timeout.Stop()
	sent := s.sent
	for {
		if sent == nil && s.pending() == 0 {
			return
		}
		select {
		case a, ok := <-s.c.frames:
			if !ok {
				<-s.sent
				s.p.errs.Add(int64(s.pending()) + 1)
				return
			}
			if a.Type == "message" && a.Sender == "bot" {
				if due, ok := s.take(a.Content); ok {
					sh.add(a.at.Sub(due))
					last = a.at
				}
			}
		case <-sent:
			sent = nil
		case <-timeout.C:
			<-s.sent
			s.p.errs.Add(int64(s.pending()))
			return
		}
	}
}
