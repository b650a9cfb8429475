package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// CPU time of a server process, from /proc/PID/stat (Linux).
//
// On a machine shared with other jobs the wall clock says more about the
// neighbours than about the server: turns/s and their ratios move by tens
// of percent from run to run. The CPU time a server spends per turn moves
// far less (it does not count the time the server waited for a core, nor
// for the disk), so turns reports it for the targets that run in a
// process of their own: a spawned Parley and the Botkit peer. The bare
// echo server runs in parley-bench's own process, beside the generator,
// and has none.

// userHZ is the unit of /proc's CPU times: USER_HZ, 100 on Linux.
const userHZ = 100

// processCPU returns the CPU time (user and system) process pid has used.
func processCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) is in parentheses and may hold spaces:
	// the fields are counted from after its closing one.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	f := strings.Fields(s[i+1:]) // f[0] is field 3, the state
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f)+2)
	}
	var ticks int64
	for _, field := range f[11:13] { // fields 14 and 15: utime, stime
		n, err := strconv.ParseInt(field, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/%d/stat: %w", pid, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / userHZ, nil
}

// cpuOf returns a target's cpu function for process pid.
func cpuOf(pid int) func() (time.Duration, bool) {
	return func() (time.Duration, bool) {
		d, err := processCPU(pid)
		return d, err == nil
	}
}
