package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/term"

	"brink/replay"
)

// isTerminal reports whether w is a terminal: live lines there, plain
// periodic lines otherwise.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// progress prints a run's state: a live status line on a terminal, a
// plain line every few seconds otherwise.
type progress struct {
	w     io.Writer
	quiet bool
	tty   bool
}

func newProgress(w io.Writer, quiet bool) *progress {
	return &progress{w: w, quiet: quiet, tty: isTerminal(w)}
}

// start shows snapshot's state until the returned stop is called.
func (p *progress) start(snapshot func() replay.Snapshot) (stop func()) {
	if p.quiet || snapshot == nil {
		return func() {}
	}
	every := 5 * time.Second
	if p.tty {
		every = 500 * time.Millisecond
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(every)
		defer t.Stop()
		var lastReq int64
		last := time.Now()
		for {
			select {
			case <-done:
				if p.tty {
					fmt.Fprint(p.w, "\r\033[K")
				}
				return
			case now := <-t.C:
				s := snapshot()
				rps := float64(s.Requests-lastReq) / now.Sub(last).Seconds()
				lastReq, last = s.Requests, now
				p.show(fmt.Sprintf("%8s  level %d  %d/%d users  %-6s  %7.1f req/s (wall)  %d requests  %d errors  live %s p50 %.2f s p95 %.2f s (approx.)",
					s.Elapsed.Round(time.Second), s.Level, s.Active, s.Users, s.Phase, rps, s.Requests, s.Errors, s.KeyStep, s.LiveP50MS/1000, s.LiveP95MS/1000))
			}
		}
	}()
	return func() { close(done); <-finished }
}

func (p *progress) show(line string) {
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K%s", line)
	} else {
		fmt.Fprintln(p.w, line)
	}
}

// level prints a level's verdict when its hold is done.
func (p *progress) level(rep replay.LevelReport) {
	if p.quiet {
		return
	}
	if p.tty {
		fmt.Fprint(p.w, "\r\033[K")
	}
	line := fmt.Sprintf("level %d (%d users) hold done: %d requests, %d errors", rep.Window.Index, rep.Window.Users, rep.Requests, rep.Errors)
	for _, v := range rep.Rules {
		if v.OK {
			line += fmt.Sprintf("; %s: %s", v.Rule, v.Format())
		}
	}
	if rep.Breached != nil {
		line += "  <- stop rule broken: finishing"
	}
	fmt.Fprintln(p.w, line)
}

// countdown waits d, showing the time left on stderr: a live line on a
// terminal, a line every 30 s otherwise.
func countdown(ctx context.Context, d time.Duration, what string, stderr io.Writer, quiet bool) error {
	if d <= 0 {
		return nil
	}
	p := &progress{w: stderr, quiet: quiet, tty: isTerminal(stderr)}
	deadline := time.Now().Add(d)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	last := time.Time{}
	for {
		left := time.Until(deadline).Round(time.Second)
		if left <= 0 {
			if p.tty && !quiet {
				fmt.Fprint(stderr, "\r\033[K")
			}
			return nil
		}
		if !quiet && (p.tty || time.Since(last) >= 30*time.Second) {
			p.show(fmt.Sprintf("brink: %s: %v left (Ctrl-C to stop)", what, left))
			last = time.Now()
		}
		select {
		case <-ctx.Done():
			if p.tty && !quiet {
				fmt.Fprintln(stderr)
			}
			return ctx.Err()
		case <-tick.C:
		}
	}
}
