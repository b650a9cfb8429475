package main

import "syscall"

// raiseOpenFiles lifts RLIMIT_NOFILE to want, or as far as allowed. Every
// socket is a file on both ends, and the bare echo server's ends are in
// this process too. Setting it explicitly (rather than relying on Go's
// automatic raise, which it undoes for child processes) makes the spawned
// server inherit it.
func raiseOpenFiles(want uint64) (uint64, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, err
	}
	if lim.Cur >= want {
		return lim.Cur, syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	}
	up := syscall.Rlimit{Cur: want, Max: max(want, lim.Max)}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &up); err == nil {
		return want, nil
	}
	// Not privileged: the hard limit is as far as it goes.
	lim.Cur = lim.Max
	return lim.Cur, syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
}
