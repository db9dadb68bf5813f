package replay

import (
	"context"
	"sync"
	"time"
)

// peers watches for a stop decision made by another shard of the run.
type peers struct {
	r      *Runner
	mu     sync.Mutex
	seen   bool
	reason string
	level  int
}

// watchPeers starts polling Options.PeerStop every PeerPoll; a stop it
// reports stops the run. Without PeerStop it never reports one.
func (r *Runner) watchPeers() *peers {
	p := &peers{r: r}
	if r.opts.PeerStop == nil {
		return p
	}
	go func() {
		t := time.NewTicker(r.peerPoll())
		defer t.Stop()
		for {
			select {
			case <-t.C:
				if p.check() {
					return
				}
			case <-r.stopCh:
				return
			}
		}
	}()
	return p
}

func (r *Runner) peerPoll() time.Duration {
	if r.opts.PeerPoll > 0 {
		return r.opts.PeerPoll
	}
	return 2 * time.Second
}

// check asks once; on a stop it stops the run and remembers why.
func (p *peers) check() bool {
	if p.r.opts.PeerStop == nil {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.seen {
		return true
	}
	reason, level, ok := p.r.opts.PeerStop()
	if !ok {
		return false
	}
	p.seen, p.reason, p.level = true, reason, level
	p.r.stop()
	return true
}

// last reports whether another shard stopped the run, waiting one poll
// interval after this shard's last hold so that every shard of a run that
// stopped ends stopped.
func (p *peers) last(ctx context.Context) bool {
	if p.r.opts.PeerStop == nil {
		return false
	}
	if p.check() {
		return true
	}
	t := time.NewTimer(p.r.peerPoll())
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		return false
	}
	return p.check()
}
