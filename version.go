package brink

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// VersionLine is what brink --version prints: the version, the commit it
// was built from (when the build recorded one), the Go version and the
// data schema version.
func VersionLine() string {
	commit := "unknown"
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				commit = s.Value
			}
		}
	}
	return fmt.Sprintf("brink %s (commit %s, %s, schema version %d)", Version, commit, runtime.Version(), SchemaVersion)
}
