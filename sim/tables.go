package sim

import (
	"hash/fnv"
	"time"
)

// boundedTable is a map whose entries leave when they expire or, past max
// entries, oldest first: the sim's login tokens and chat sessions. Entries
// are queued in the order they were last renewed; a renewed entry's old
// place in the queue is skipped when it comes up (its stamp no longer
// matches), so eviction is least recently used, in O(1) amortised. The
// caller holds the lock that guards it.
type boundedTable[V any] struct {
	max   int
	ttl   time.Duration // since the last renewal
	byKey map[string]*tableEntry[V]
	queue []queued // oldest first
	head  int
}

type tableEntry[V any] struct {
	v     V
	stamp int64 // scenario Unix ns of the last renewal
}

type queued struct {
	key   string
	stamp int64
}

func newBoundedTable[V any](max int, ttl time.Duration) *boundedTable[V] {
	return &boundedTable[V]{max: max, ttl: ttl, byKey: map[string]*tableEntry[V]{}}
}

// put adds or renews key at now.
func (t *boundedTable[V]) put(key string, v V, now time.Time) {
	t.evict(now)
	e := t.byKey[key]
	if e == nil {
		e = &tableEntry[V]{}
		t.byKey[key] = e
	}
	e.v, e.stamp = v, now.UnixNano()
	t.queue = append(t.queue, queued{key, e.stamp})
	for len(t.byKey) > t.max {
		t.popHead()
	}
}

// get finds key live at now; renew moves it to the back of the queue.
func (t *boundedTable[V]) get(key string, now time.Time, renew bool) (V, bool) {
	t.evict(now)
	e := t.byKey[key]
	if e == nil {
		var zero V
		return zero, false
	}
	if renew {
		e.stamp = now.UnixNano()
		t.queue = append(t.queue, queued{key, e.stamp})
		t.compact()
	}
	return e.v, true
}

func (t *boundedTable[V]) len() int { return len(t.byKey) }

// evict drops what expired by now.
func (t *boundedTable[V]) evict(now time.Time) {
	limit := now.Add(-t.ttl).UnixNano()
	for t.head < len(t.queue) && t.queue[t.head].stamp <= limit {
		t.popHead()
	}
	t.compact()
}

// popHead removes the queue's first entry, and its key when that place is
// the key's latest.
func (t *boundedTable[V]) popHead() {
	q := t.queue[t.head]
	t.queue[t.head] = queued{}
	t.head++
	if e := t.byKey[q.key]; e != nil && e.stamp == q.stamp {
		delete(t.byKey, q.key)
	}
}

// compact lets go of the queue's consumed front and of stale places, so
// the queue stays within a small multiple of the live entries.
func (t *boundedTable[V]) compact() {
	live := len(t.queue) - t.head
	if t.head < 1024 && live <= 2*len(t.byKey)+1024 {
		return
	}
	q := make([]queued, 0, len(t.byKey)+64)
	for _, x := range t.queue[t.head:] {
		if e := t.byKey[x.key]; e != nil && e.stamp == x.stamp {
			q = append(q, x)
		}
	}
	t.queue, t.head = q, 0
}

// userKey is what the tables keep of a user name: a hash, so a client that
// logs in with huge names does not make the sim keep them.
func userKey(name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return h.Sum64()
}
