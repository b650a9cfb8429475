package main

import (
	"os"
	"testing"
	"time"
)

// TestProcessCPU: a process's CPU time grows as it works, and a process
// that is not there is an error.
func TestProcessCPU(t *testing.T) {
	before, err := processCPU(os.Getpid())
	if err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	x := 0
	for {
		for i := range 1_000_000 {
			x += i
		}
		now, err := processCPU(os.Getpid())
		if err != nil {
			t.Fatal(err)
		}
		if now-before >= 50*time.Millisecond {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("CPU time moved %v in 10 s of spinning", now-before)
		}
	}
	_ = x
	if _, err := processCPU(1 << 30); err == nil {
		t.Error("a process that is not there has a CPU time")
	}
}
