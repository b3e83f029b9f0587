#!/usr/bin/env bash
# Mock-server throughput at zero latency beside a bare axum hello-world, measured back to
# back in the same run with the same client (wrk and oha, 100 connections), plus the
# overshoot of the injected delay. Needs wrk (apt-get install wrk) and/or oha
# (cargo install oha). Usage: scripts/server-throughput.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
cargo build --release -q -p waitbench-cli -p waitbench-mockserver --examples --bins
bin=target/release
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; }
trap cleanup EXIT
"$bin/waitbench" serve --listen 127.0.0.1:18080 2>/dev/null & pids+=($!)
"$bin/examples/hello_axum" 127.0.0.1:18081 2>/dev/null & pids+=($!)
sleep 1
for round in 1 2; do
  for target in "waitbench-serve 18080" "hello-axum 18081"; do
    set -- $target
    if command -v wrk >/dev/null; then
      rps=$(wrk -t2 -c100 -d"${secs}s" "http://127.0.0.1:$2/" | awk '/Requests\/sec/ {print $2}')
      echo "round $round  wrk -t2 -c100 -d${secs}s  $1: $rps req/s"
    fi
    if command -v oha >/dev/null; then
      rps=$(oha -c 100 -z "${secs}s" --no-tui --output-format json "http://127.0.0.1:$2/" \
        | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["summary"]["requestsPerSec"]))')
      echo "round $round  oha -c 100 -z ${secs}s     $1: $rps req/s"
    fi
  done
done
