package rundir

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Opener opens the store of a runs directory held elsewhere, by its URL's
// bucket (host) and prefix (path without the leading slash). Package
// rundir/s3store registers one for s3://.
type Opener func(ctx context.Context, bucket, prefix string) (Store, error)

var (
	openersMu sync.Mutex
	openers   = map[string]Opener{}
)

// Register makes locations of the scheme ("s3") open with open.
func Register(scheme string, open Opener) {
	openersMu.Lock()
	defer openersMu.Unlock()
	openers[scheme] = open
}

// location is where a runs directory lives: its store, and the local
// folder where its files are read and written on this machine (the store
// itself, or a cache of a remote store).
type location struct {
	store  Store
	local  Dir
	remote bool
	url    string // the runs directory as the user named it, without a trailing slash
}

// IsRemote reports whether loc names a store that is not a local path
// (s3://bucket/prefix).
func IsRemote(loc string) bool { return strings.Contains(loc, "://") }

// resolve opens the runs directory loc: a local path, or scheme://bucket/prefix.
func resolve(ctx context.Context, loc string) (location, error) {
	if !IsRemote(loc) {
		return location{store: Dir(loc), local: Dir(loc), url: loc}, nil
	}
	scheme, rest, _ := strings.Cut(loc, "://")
	rest = strings.Trim(rest, "/")
	bucket, prefix, _ := strings.Cut(rest, "/")
	openersMu.Lock()
	open, ok := openers[scheme]
	openersMu.Unlock()
	if !ok || bucket == "" {
		return location{}, fmt.Errorf("runs directory %s: brink stores runs on the local disk or in s3://bucket/prefix", loc)
	}
	store, err := open(ctx, bucket, prefix)
	if err != nil {
		return location{}, err
	}
	cache, err := cacheDir(scheme, bucket, prefix)
	if err != nil {
		return location{}, err
	}
	return location{store: store, local: Dir(cache), remote: true, url: scheme + "://" + rest}, nil
}

// cacheDir is where files of a remote store are kept on this machine:
// $BRINK_CACHE_DIR, or the user's cache directory, then brink/<scheme>/<bucket>/<prefix>.
func cacheDir(scheme, bucket, prefix string) (string, error) {
	root := os.Getenv("BRINK_CACHE_DIR")
	if root == "" {
		c, err := os.UserCacheDir()
		if err != nil {
			c = os.TempDir()
		}
		root = filepath.Join(c, "brink")
	}
	dir := filepath.Join(root, scheme, bucket, filepath.FromSlash(prefix))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("create the local cache of %s://%s/%s: %w", scheme, bucket, prefix, err)
	}
	return dir, nil
}

// splitRun splits a run's location into its runs directory and run id.
func splitRun(loc string) (runs, id string) {
	loc = strings.TrimRight(loc, "/")
	if IsRemote(loc) {
		i := strings.LastIndex(loc, "/")
		if i < 0 || strings.HasSuffix(loc[:i], ":/") {
			return loc, ""
		}
		return loc[:i], loc[i+1:]
	}
	clean := filepath.Clean(loc)
	return filepath.Dir(clean), filepath.Base(clean)
}
