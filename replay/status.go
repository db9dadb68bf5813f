package replay

import (
	"fmt"
	"time"
)

// StatusLine is the run's state in one line, as a command's status line
// shows it; rps is the request rate the caller measured between snapshots.
// The live percentiles are approximate (HDR) and say so.
func (s Snapshot) StatusLine(rps float64) string {
	return fmt.Sprintf("%8s  level %d  %d/%d users  %-6s  %7.1f req/s (wall)  %d requests  %d errors  live %s p50 %.2f s p95 %.2f s (approx.)",
		s.Elapsed.Round(time.Second), s.Level, s.Active, s.Users, s.Phase, rps, s.Requests, s.Errors, s.KeyStep, s.LiveP50MS/1000, s.LiveP95MS/1000)
}

// Line is the level's verdict in one line: its hold's requests and errors,
// the value of each stop rule, and whether one broke.
func (rep LevelReport) Line() string {
	line := fmt.Sprintf("level %d (%d users) hold done: %d requests, %d errors", rep.Window.Index, rep.Window.Users, rep.Requests, rep.Errors)
	for _, v := range rep.Rules {
		if v.OK {
			line += fmt.Sprintf("; %s: %s", v.Rule, v.Format())
		}
	}
	if rep.Breached != nil {
		line += "  <- stop rule broken: finishing"
	}
	return line
}
