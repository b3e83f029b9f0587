#!/usr/bin/env bash
# An independent check of waitbench's TLS and HTTP/2, with h2load (apt-get install
# nghttp2-client) as the outside tool, every figure a ratio taken in the same run:
#   1. full-handshake rate: h2load, one request per connection (so each connection is one
#      full TLS 1.3 handshake; h2load never resumes), against `waitbench serve --tls` and
#      against a bare tokio-rustls/hyper server (crates/mockserver/examples/bare_tls.rs),
#      both on one worker thread, ECDSA P-256, ALPN h2. Goal: mock >= 0.8x bare.
#   2. HTTP/2 client rate at the same -c/-m: h2load -c K -m M against hyper-tokio-h2 with
#      --connections K and C = K x M workers, one client thread each, against the same
#      `serve --tls` (two worker threads). Goal: hyper-tokio-h2 >= 0.9x h2load.
#      Beside them, with none of waitbench's measurement around the client
#      (crates/strategies/examples/h2_ceiling.rs, same -c/-m, one thread): hyper's HTTP/2
#      client, and h2 (the engine under it, which hyper-tokio-h2 drives directly). The
#      three split a gap to h2load into hyper's layer and waitbench's measurement.
# Rounds alternate the sides so drift in machine load hits all of them.
# Usage: scripts/h2load-compare.sh [handshake connections per round] [requests per client round]
#        (NO_BUILD=1 to use the binaries already in target/release)
set -euo pipefail
cd "$(dirname "$0")/.."
conns=${1:-1000}
requests=${2:-100000}
command -v h2load >/dev/null || { echo "needs h2load: apt-get install nghttp2-client" >&2; exit 2; }
[ -n "${NO_BUILD:-}" ] || {
  cargo build --release -q -p waitbench-cli -p waitbench-mockserver --example bare_tls --bins
  cargo build --release -q -p waitbench-strategies --example h2_ceiling
}
bin=target/release
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; }
trap cleanup EXIT
"$bin/waitbench" serve --tls --threads 1 --listen 127.0.0.1:18443 2>/dev/null & pids+=($!)
"$bin/examples/bare_tls" 127.0.0.1:18444 1 2>/dev/null & pids+=($!)
"$bin/waitbench" serve --tls --threads 2 --listen 127.0.0.1:18445 2>/dev/null & pids+=($!)
sleep 2
echo "uptime: $(uptime)"

# h2load's "finished in Xs, N req/s" figure.
rate() { awk '/^finished in/ { gsub(",", "", $4); print $4 }'; }

echo "== 1. full handshakes per second (h2load -n $conns -c $conns -m 1 -t 1; one request per connection)"
for round in 1 2 3; do
  mock=$(h2load -n "$conns" -c "$conns" -m 1 -t 1 https://127.0.0.1:18443/ | rate)
  bare=$(h2load -n "$conns" -c "$conns" -m 1 -t 1 https://127.0.0.1:18444/ | rate)
  python3 -c "print(f'round $round  serve --tls: $mock/s  bare: $bare/s  ratio {$mock/$bare:.2f}')"
done

echo "== 2. HTTP/2 requests per second, h2load against hyper-tokio-h2 (one client thread each)"
# The req/s figure of h2_ceiling's one line.
ceiling() { awk '{ for (i = 1; i < NF; i++) if ($(i + 1) == "req/s,") print $i }'; }
for shape in "1 100" "4 25"; do
  set -- $shape
  k=$1 m=$2 c=$(($1 * $2))
  for round in 1 2 3; do
    h2=$(h2load -n "$requests" -c "$k" -m "$m" -t 1 https://127.0.0.1:18445/ | rate)
    json=$(mktemp)
    "$bin/waitbench" run -s hyper-tokio-h2 --connections "$k" -c "$c" -n "$requests" \
      --runtime current-thread --target https://127.0.0.1:18445 --quiet --json "$json" >/dev/null
    ours=$(python3 -c "import json; print(round(json.load(open('$json'))['result']['trials'][0]['throughput_rps']))")
    rm -f "$json"
    hyper=$("$bin/examples/h2_ceiling" hyper "$k" "$c" "$requests" https://127.0.0.1:18445/ | ceiling)
    bare=$("$bin/examples/h2_ceiling" h2 "$k" "$c" "$requests" https://127.0.0.1:18445/ | ceiling)
    python3 -c "print(f'round $round  -c $k -m $m: h2load {$h2:.0f}/s  hyper-tokio-h2 (--connections $k, C=$c) {$ours}/s  ratio {$ours/$h2:.2f}  |  bare loops: hyper {$hyper}/s ({$hyper/$h2:.2f}), h2 {$bare}/s ({$bare/$h2:.2f})')"
  done
done
