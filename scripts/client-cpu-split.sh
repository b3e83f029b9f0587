#!/usr/bin/env bash
# Client CPU per request of `waitbench run -s reqwest-tokio` beside the same reqwest
# client in a bare closed loop (examples/client_ceiling.rs: no dispatcher, recorder or
# sampler), at C = 1000, L = 50 ms and at C = 100, L = 0, back to back against one
# standalone `waitbench serve` per latency. The harness's share is
# 1 - bare / waitbench; the rest of the difference between the two settings is the
# client library's own cost of waking up for fewer requests at a time.
#
# Usage: scripts/client-cpu-split.sh [seconds per run] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-5}
rounds=${2:-3}
cargo build --release -q -p waitbench-cli --bins
cargo build --release -q -p waitbench-strategies --example client_ceiling
bin=target/release
ulimit -n "$(ulimit -Hn)"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT
"$bin/waitbench" serve --listen 127.0.0.1:18380 --latency 50ms >/dev/null 2>&1 & pids+=($!)
"$bin/waitbench" serve --listen 127.0.0.1:18381 >/dev/null 2>&1 & pids+=($!)
sleep 1

echo "$(date -u '+%F %T') UTC, $(nproc) cores, $secs s per run (+1 s warm-up for waitbench), load: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "$rounds"); do
  for setting in "1000 18380 50ms" "100 18381 0"; do
    set -- $setting
    harness=$("$bin/waitbench" run -s reqwest-tokio -c "$1" -d "${secs}s" --warmup 1s \
      --target "http://127.0.0.1:$2" --json - 2>/dev/null |
      python3 -c 'import json,sys; print(round(json.load(sys.stdin)["result"]["trials"][0]["client"]["client_cpu_per_request_us"], 1))')
    bare=$("$bin/examples/client_ceiling" reqwest multi-thread "$1" "$((secs + 1))" "http://127.0.0.1:$2/" |
      sed -E 's/.*client CPU ([0-9.]+) µs\/request.*/\1/')
    awk -v c="$1" -v l="$3" -v r="$round" -v h="$harness" -v b="$bare" 'BEGIN {
      printf "C=%-5s L=%-5s round %d | waitbench run %5.1f µs/req | bare loop %5.1f µs/req | harness share %5.1f%%\n",
        c, l, r, h, b, (1 - b / h) * 100 }'
  done
done
