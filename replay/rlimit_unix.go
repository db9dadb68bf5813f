//go:build unix

package replay

import "syscall"

// RaiseOpenFileLimit raises the soft open-file limit (RLIMIT_NOFILE) to at
// least want, up to the hard limit; a process allowed to (root, or
// CAP_SYS_RESOURCE) raises the hard limit too. Each keep-alive connection is
// one file descriptor, so many virtual users need more than the usual 1024.
// It returns the soft limit in force afterwards; failing to raise it is not
// an error (the caller's connections are then capped by it).
func RaiseOpenFileLimit(want int) int {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0
	}
	w := uint64(want)
	if lim.Cur >= w {
		return int(lim.Cur)
	}
	if lim.Max < w {
		raised := syscall.Rlimit{Cur: w, Max: w}
		if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &raised) == nil {
			return want
		}
		w = lim.Max
	}
	lim.Cur = w
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)
	}
	return int(lim.Cur)
}
