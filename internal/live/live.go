// Package live shows long work on a writer (a command's stderr): a status
// line that rewrites itself on a terminal, plain periodic lines otherwise,
// and a countdown. It is the reporter of brink's progress; it writes only to
// the writer it is given.
package live

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/term"

	"brink"
	"brink/replay"
)

// Progress shows long work on a writer (stderr): a live line that rewrites
// itself on a terminal, plain periodic lines otherwise.
type Progress struct {
	w     io.Writer
	quiet bool
	tty   bool

	mu     sync.Mutex
	self   *brink.SelfSample // the generator's last second
	over   int               // seconds in a row past a threshold
	warned bool
}

// New shows progress on w; quiet shows nothing.
func New(w io.Writer, quiet bool) *Progress {
	f, ok := w.(*os.File)
	return &Progress{w: w, quiet: quiet, tty: ok && term.IsTerminal(int(f.Fd()))}
}

// every calls line every d until ctx ends or done is closed, showing what
// it returns; the live line is cleared at the end.
func (p *Progress) every(ctx context.Context, d time.Duration, done <-chan struct{}, line func(now time.Time) string) {
	t := time.NewTicker(d)
	defer t.Stop()
	defer p.clear()
	for {
		select {
		case <-ctx.Done():
			return
		case <-done:
			return
		case now := <-t.C:
			if s := line(now); s != "" && !p.quiet {
				if p.tty {
					fmt.Fprintf(p.w, "\r\033[K%s", fit(s, p.width()))
				} else {
					fmt.Fprintln(p.w, s)
				}
			}
		}
	}
}

func (p *Progress) clear() {
	if p.tty && !p.quiet {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

// Start shows a run's status line from snapshot until stop is called.
func (p *Progress) Start(snapshot func() replay.Snapshot) (stop func()) {
	if p.quiet || snapshot == nil {
		return func() {}
	}
	d := 5 * time.Second
	if p.tty {
		d = 500 * time.Millisecond
	}
	done, finished := make(chan struct{}), make(chan struct{})
	var lastReq int64
	last := time.Now()
	go func() {
		defer close(finished)
		p.every(context.Background(), d, done, func(now time.Time) string {
			s := snapshot()
			rps := float64(s.Requests-lastReq) / now.Sub(last).Seconds()
			lastReq, last = s.Requests, now
			return s.StatusLine(rps) + p.selfLine()
		})
	}()
	return func() { close(done); <-finished }
}

// Level prints a level's verdict when its hold is done.
func (p *Progress) Level(rep replay.LevelReport) {
	if !p.quiet {
		p.clear()
		fmt.Fprintln(p.w, rep.Line())
	}
}

// Countdown waits d, showing the time left: every second on a terminal,
// every 30 s otherwise.
func Countdown(ctx context.Context, d time.Duration, what string, stderr io.Writer, quiet bool) error {
	p := New(stderr, quiet)
	deadline := time.Now().Add(d)
	step := 30 * time.Second
	if p.tty {
		step = time.Second
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	done := make(chan struct{})
	go func() {
		select {
		case <-timer.C:
		case <-ctx.Done():
		}
		close(done)
	}()
	p.every(ctx, step, done, func(now time.Time) string {
		return fmt.Sprintf("brink: %s: %v left (Ctrl-C to stop)", what, deadline.Sub(now).Round(time.Second))
	})
	return ctx.Err()
}

// Self takes the generator's last second of self-measurement: the status
// line shows its lag and CPU, and the third second in a row past a
// threshold prints one warning with the figures and what to do (one late
// timer is not a trend).
func (p *Progress) Self(s brink.SelfSample) {
	p.mu.Lock()
	p.self = &s
	if s.LagMaxMS > 1000 || s.ProcessCPU > 0.9 || s.HostSteal > 0.1 {
		p.over++
	} else {
		p.over = 0
	}
	warn := !p.warned && p.over >= 3
	p.warned = p.warned || warn
	p.mu.Unlock()
	if warn && !p.quiet {
		p.clear()
		fmt.Fprintf(p.w, "brink: warning: the generator is falling behind (schedule lag %.0f ms, its CPU %.0f%% of the host's cores, steal %.0f%%): "+
			"levels from here may be suspect; use fewer users per generator, more shards (--shard), or a time scale closer to 1\n",
			s.LagMaxMS, 100*s.ProcessCPU, 100*s.HostSteal)
	}
}

func (p *Progress) selfLine() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.self == nil {
		return ""
	}
	return fmt.Sprintf("  gen lag %.0f ms cpu %.0f%%", p.self.LagMaxMS, 100*p.self.ProcessCPU)
}

// width is the terminal's width in columns (80 when it cannot be read).
func (p *Progress) width() int {
	if f, ok := p.w.(*os.File); ok {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
			return w
		}
	}
	return 80
}

// fit cuts a live line to the terminal's width: a line that wraps leaves
// half-lines behind, since \r\033[K clears only the last row.
func fit(line string, width int) string {
	r := []rune(line)
	if len(r) < width {
		return line
	}
	return string(r[:max(width-2, 0)]) + "…"
}
