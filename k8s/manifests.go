package k8s

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"sigs.k8s.io/yaml"

	"brink"
)

// Manifests checks o and returns the YAML for kubectl apply: the
// ConfigMap (when there are inputs), the shards' Indexed Job and the
// analyze Job, as one multi-document stream. Its first line is a comment
// that says when the run starts; the next ones name the run and where its
// results land.
func Manifests(o Options) ([]byte, error) {
	j, err := o.check()
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "# start at %s (now + %s)\n", j.StartAt.Format(time.RFC3339), short(j.StartAt.Sub(j.Now)))
	fmt.Fprintf(&b, "# run %s: %d shard(s) against %s; results in %s/\n", j.RunID, j.Shards, brink.RedactURL(j.Target), j.run)
	fmt.Fprintf(&b, "# watch: kubectl get pods -l %s=%s\n", labelRun, j.RunID)
	objs := []any{j.shards(), j.analyze()}
	if cm := j.configMap(); cm != nil {
		objs = append([]any{cm}, objs...)
	}
	for _, obj := range objs {
		y, err := yaml.Marshal(obj)
		if err != nil {
			return nil, fmt.Errorf("k8s: encode %T: %w", obj, err)
		}
		b.WriteString("---\n")
		b.Write(y)
	}
	return b.Bytes(), nil
}

// short writes d to the second without trailing zero units: 5m, 1h2m, 90s → 1m30s.
func short(d time.Duration) string {
	s := d.Round(time.Second).String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
