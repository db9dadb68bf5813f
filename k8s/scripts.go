package k8s

import "strings"

// shardScript runs `brink "$@"` (the container's args) in a shard's pod
// and turns exit 3 into 0.
//
// Exit 3 means a stop rule found the edge: the load test succeeded. A Job
// cannot be told that: podFailurePolicy only chooses what a failure does
// (fail the Job, ignore it and retry, count it), and successPolicy only
// says which indexes must succeed, so a pod that exits 3 is always failed
// and, with backoffLimit 0, fails the Job and stops the other shards. So a
// shell maps the code. It stays PID 1 to do that, so it forwards SIGTERM
// (pod deletion, node drain) to brink, which then stops as on Ctrl-C:
// requests in flight finish and the open segment is stored. wait returns
// early when a trapped signal arrives; brink is then still running (or a
// zombie, which kill -0 still sees), so it waits again for the real code.
//
// Kubernetes expands $(NAME) in command and args: the scripts must not
// contain "$(" or "$$" (a test checks), so they reach the shell as written.
const shardScript = `trap 'kill -TERM $p 2>/dev/null' TERM INT
brink "$@" & p=$!
while :; do wait $p; c=$?; kill -0 $p 2>/dev/null || break; done
[ $c -eq 3 ] && exit 0
exit $c`

// analyzeScript runs in the analyze Job's pod with args RUN TIMEOUT
// [collect flags...]: it waits until every shard's manifest says done,
// then collects, analyses and reports the run.
//
// A failed wait (timeout, a shard failed) exits 10, which the Job's
// podFailurePolicy makes final: a retry would only wait again. A failed
// collect (no CloudWatch or Logs access, another account) does not stop
// the analysis: the traces hold the run's own evidence, and the report
// then lacks only the infrastructure charts. analyze and report fail the
// pod, and the Job retries once (backoffLimit 1): both only rewrite their
// outputs, so a retry is safe.
const analyzeScript = `run=$1 timeout=$2; shift 2
brink wait --run "$run" --timeout "$timeout" || exit 10
brink collect --run "$run" --quiet "$@" || echo "brink collect failed (above): analysing without CloudWatch metrics" >&2
brink analyze --run "$run" && brink report --run "$run"`

// waitFailed is analyzeScript's exit code when brink wait fails.
const waitFailed = 10

// escape keeps Kubernetes' $(NAME) expansion from changing s: it reads
// "$$" as a literal "$", so every "$" is doubled.
func escape(s string) string { return strings.ReplaceAll(s, "$", "$$") }
