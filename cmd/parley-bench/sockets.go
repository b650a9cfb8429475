package main

import (
	"context"
	"fmt"
	"sync"
)

// dialAll opens n clients, a few at a time; user(i) and session(i) say
// whom each is and what it joins. On error it closes what it opened.
func dialAll(ctx context.Context, t *target, n int, user func(int) string, session func(int) string) ([]*client, error) {
	const parallel = 32
	cs := make([]*client, n)
	errs := make(chan error, n)
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			c, err := dial(ctx, t, user(i), session(i))
			cs[i] = c
			if err != nil {
				errs <- fmt.Errorf("%s: socket %d: %w", t.name, i, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		closeAll(cs)
		return nil, err
	}
	return cs, nil
}

func closeAll(cs []*client) {
	var wg sync.WaitGroup
	for _, c := range cs {
		if c != nil {
			wg.Go(c.close)
		}
	}
	wg.Wait()
}
