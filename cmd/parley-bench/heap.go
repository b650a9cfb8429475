package main

import (
	"bufio"
	"context"
	"fmt"
	goruntime "runtime"
	"runtime/metrics"
	"strconv"
	"strings"
)

// Heap readings. Every reading comes right after a forced GC, so it counts
// live objects only. Parley is read through its pprof listener: the
// heap profile with gc=1 runs runtime.GC and then prints the MemStats it
// reads, "# HeapAlloc = N" and "# Stack = INUSE / SYS". The bare echo
// server shares this process with the clients, so it is read here with
// runtime/metrics, and the scenarios subtract the clients' own share
// (measured on the Parley run, where the server is another process).

// memSample is the live heap and the goroutine stacks in use, in bytes.
type memSample struct {
	Heap, Stack float64
}

func (a memSample) minus(b memSample) memSample {
	return memSample{Heap: a.Heap - b.Heap, Stack: a.Stack - b.Stack}
}

// perUnit is the sample divided among n sockets or conversations, in KB.
func (a memSample) perUnit(n int) memSample {
	if n <= 0 {
		return memSample{}
	}
	return memSample{Heap: a.Heap / float64(n) / 1024, Stack: a.Stack / float64(n) / 1024}
}

// remoteHeap reads a Go server's heap through its pprof address. The
// second reading is kept: the first GC may still leave objects that only
// a finalizer frees.
func remoteHeap(ctx context.Context, pprof string) (memSample, error) {
	var s memSample
	for range 2 {
		body, err := get(ctx, pprof+"/debug/pprof/heap?debug=1&gc=1")
		if err != nil {
			return s, err
		}
		sc := bufio.NewScanner(body)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		s, err = parseHeapProfile(sc)
		body.Close()
		if err != nil {
			return s, err
		}
	}
	return s, nil
}

// parseHeapProfile finds the MemStats lines of a debug=1 heap profile.
func parseHeapProfile(sc *bufio.Scanner) (memSample, error) {
	var s memSample
	var heap, stack bool
	for sc.Scan() {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "# HeapAlloc = "); ok {
			n, err := strconv.ParseFloat(v, 64)
			s.Heap, heap = n, err == nil
		}
		if v, ok := strings.CutPrefix(line, "# Stack = "); ok {
			inuse, _, _ := strings.Cut(v, " / ")
			n, err := strconv.ParseFloat(inuse, 64)
			s.Stack, stack = n, err == nil
		}
	}
	if !heap || !stack {
		return s, fmt.Errorf("the heap profile has no HeapAlloc or Stack line")
	}
	return s, sc.Err()
}

// localHeap reads this process's heap after two forced GCs.
func localHeap() memSample {
	goruntime.GC()
	goruntime.GC()
	m := []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/memory/classes/heap/stacks:bytes"},
	}
	metrics.Read(m)
	return memSample{Heap: float64(m[0].Value.Uint64()), Stack: float64(m[1].Value.Uint64())}
}
