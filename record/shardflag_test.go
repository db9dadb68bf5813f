package record

import (
	"strings"
	"testing"
)

func TestParseShard(t *testing.T) {
	if sh, err := ParseShard("2/3"); err != nil || sh.Index != 2 || sh.Count != 3 {
		t.Fatalf("2/3: %+v, %v", sh, err)
	}
	for _, c := range []struct{ in, want string }{
		{"3/3", "want 0 <= i < n"},
		{"-1/3", "want 0 <= i < n"},
		{"0/0", "want 0 <= i < n"},
		{"1", "want i/n"},
		{"a/b", "want i/n"},
		{"0/10001", "at most 10000 shards"},
	} {
		if _, err := ParseShard(c.in); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("--shard %s: %v, want %q", c.in, err, c.want)
		}
	}
}
