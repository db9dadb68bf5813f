package record

import (
	"fmt"
	"strconv"
	"strings"

	"brink"
	"brink/replay"
)

// ParseShard reads --shard i/n: shard i (0-based) of n.
func ParseShard(s string) (replay.Shard, error) {
	a, b, ok := strings.Cut(s, "/")
	i, erri := strconv.Atoi(a)
	n, errn := strconv.Atoi(b)
	switch {
	case !ok || erri != nil || errn != nil:
		return replay.Shard{}, fmt.Errorf("--shard %q: want i/n, e.g. 0/3 for the first of three shards", s)
	case n > brink.MaxShards:
		return replay.Shard{}, fmt.Errorf("--shard %s: at most %d shards", s, brink.MaxShards)
	case n < 1 || i < 0 || i >= n:
		return replay.Shard{}, fmt.Errorf("--shard %s: want 0 <= i < n, e.g. 0/%d..%d/%d", s, max(n, 1), max(n, 1)-1, max(n, 1))
	}
	return replay.Shard{Index: i, Count: n}, nil
}
