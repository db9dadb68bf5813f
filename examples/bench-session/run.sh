#!/bin/bash
# The session flow per core: brink run against Locust FastHttpUser, interleaved.
#
#   examples/bench-session/run.sh            # 3 rounds, 22 s per tool
#   REPS=5 DUR=30 examples/bench-session/run.sh
#
# The target (../shared/bench/target, GOMAXPROCS=1, no delay) runs on CPU 1,
# each tool alone on CPU 0, 200 users, no think time. Requests/s are the
# target's own counters (login + sessions + messages) between 5 s and 5 s
# before the end, so start-up and wind-down do not count. Prints one line per
# run and each round's ratio. Needs locust (apt-get install python3-locust),
# taskset, curl, python3; traffic goes to 127.0.0.1 only.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BENCH=${BENCH:-$ROOT/../shared/bench}
REPS=${REPS:-3}
DUR=${DUR:-22}
USERS=${USERS:-200}
PORT=${PORT:-18080}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

(cd "$ROOT" && go build -o "$WORK/brink" ./cmd/brink)
(cd "$BENCH/target" && go build -o "$WORK/target" .)

count() { # login + sessions + messages so far
  curl -s "127.0.0.1:$PORT/stats" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["login"]+d["sessions"]+d["messages"])'
}

one() { # $1: brink|locust -> requests/s
  taskset -c 1 "$WORK/target" -addr "127.0.0.1:$PORT" -gomaxprocs 1 2>/dev/null &
  local target=$! tool
  sleep 0.5
  if [ "$1" = brink ]; then
    taskset -c 0 "$WORK/brink" run --target "http://127.0.0.1:$PORT" --flow "$HERE/flow.yaml" \
      --start-users "$USERS" --max-users "$USERS" --ramp 1s --hold "$((DUR - 2))s" --max-p95 0 --max-error-rate 0 \
      --time-scale 1 --quiet --runs-dir "$WORK/runs" >"$WORK/brink.log" 2>&1 &
  else
    taskset -c 0 locust -f "$HERE/locust_nothink.py" SessionFastHttpUser -u "$USERS" -r "$USERS" -t "${DUR}s" \
      --headless --only-summary -H "http://127.0.0.1:$PORT" >"$WORK/locust.log" 2>&1 &
  fi
  tool=$!
  sleep 5
  local a t0 b t1
  a=$(count); t0=$(date +%s.%N)
  sleep $((DUR - 10))
  b=$(count); t1=$(date +%s.%N)
  wait "$tool" || true
  kill "$target"; wait "$target" 2>/dev/null || true
  rm -rf "$WORK/runs"
  python3 -c "print(round(($b - $a) / ($t1 - $t0)))"
}

printf 'round\tbrink\tlocust\tratio\n'
ratios=()
for i in $(seq "$REPS"); do
  b=$(one brink); l=$(one locust)
  r=$(python3 -c "print(round($b / $l, 2))")
  ratios+=("$r")
  printf '%d\t%d\t%d\t%s\n' "$i" "$b" "$l" "$r"
done
# The machine is shared: one round says little, the median of several more.
python3 -c "import statistics,sys; print('median ratio', statistics.median(map(float, sys.argv[1:])))" "${ratios[@]}"
