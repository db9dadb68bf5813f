//go:build !unix

package replay

// RaiseOpenFileLimit does nothing where there is no RLIMIT_NOFILE; it
// returns want.
func RaiseOpenFileLimit(want int) int { return want }
