#!/usr/bin/env bash
# Server CPU per request, `waitbench serve` beside a bare axum server whose handler
# awaits `tokio::time::sleep(L)` (examples/hello_axum.rs), at the loads of issue 15.
# Each server runs standalone with the latency as its default, loaded by the same
# `wrk -t1` back to back; its CPU is read from /proc/PID/stat (utime + stime) before
# and after each run and divided by the requests wrk completed. Also prints the
# client's p50 overshoot: wrk's p50 at L minus L minus wrk's p50 at L = 0, C = 1.
# Beside the CPU, the wake-ups that cost it, as counts (steadier than CPU time on a
# shared machine): each server's voluntary context switches per request, summed over
# its threads from /proc/PID/task/*/status (a thread that sleeps must be woken again),
# and `waitbench serve`'s own timer wake-ups per request from its /stats.
#
# Usage: scripts/server-cpu.sh [seconds per run] [rounds]
#   WAITBENCH=path/to/waitbench HELLO=path/to/hello_axum  use prebuilt binaries
#   ROWS="0:200 1ms:1 50ms:200 200ms:1000"                 LATENCY:CONNECTIONS rows
# Needs wrk (apt-get install wrk) and curl. Each row starts both servers afresh.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
rounds=${2:-3}
rows=${ROWS:-"0:200 1ms:1 50ms:200 200ms:1000"}
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 2; }
command -v curl >/dev/null || { echo "needs curl (apt-get install curl)" >&2; exit 2; }
if [[ -z ${WAITBENCH:-} || -z ${HELLO:-} ]]; then
  cargo build --release -q -p waitbench-cli -p waitbench-mockserver --example hello_axum --bins
fi
waitbench=${WAITBENCH:-target/release/waitbench}
hello=${HELLO:-target/release/examples/hello_axum}
ulimit -n "$(ulimit -Hn)"
tick=$(getconf CLK_TCK)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

# CPU seconds (user + system) of process $1 so far; fields after the ")" of comm.
cpu_s() { awk -v t="$tick" '{ sub(/.*\) /, ""); print ($12 + $13) / t }' "/proc/$1/stat"; }

# Voluntary and involuntary context switches of all threads of process $1 so far.
switches() {
  cat /proc/"$1"/task/*/status 2>/dev/null |
    awk '/^voluntary_ctxt/ { v += $2 } /^nonvoluntary_ctxt/ { i += $2 } END { print v + 0, i + 0 }'
}

# `waitbench serve`'s timer wake-ups per request since its last /stats/reset ("-" if none).
timer_per_request() {
  curl -fsS "http://127.0.0.1:$1/stats" |
    sed -n 's/.*"timer_wakeups_per_request":\([0-9.e+-]*\).*/\1/p' |
    awk '{ printf "%.3f\n", $1; found = 1 } END { if (!found) print "-" }'
}

# wrk's latency in µs from a line such as "50%  1.07ms".
to_us() {
  awk '{ v = $1 + 0; u = $1; sub(/^[0-9.]+/, "", u);
         if (u == "us") v = v; else if (u == "ms") v *= 1e3; else if (u == "s") v *= 1e6;
         printf "%.0f", v }' <<<"$1"
}

# Loads port $2 with $3 connections for $secs s; prints "requests cpu_us_per_req p50_us
# wakeups_per_req preemptions_per_req timer_wakeups_per_req" (the last "-" unless $4 is
# "stats": the server has waitbench's /stats).
measure() {
  local pid=$1 port=$2 conns=$3 stats=${4:-} before after sw_before sw_after out requests p50
  local timer=-
  # A short warm-up opens the connections and faults in the code paths.
  wrk -t1 -c"$conns" -d1s "http://127.0.0.1:$port/" >/dev/null
  [[ $stats == stats ]] && curl -fsS -X POST "http://127.0.0.1:$port/stats/reset" >/dev/null
  before=$(cpu_s "$pid")
  sw_before=$(switches "$pid")
  out=$(wrk -t1 -c"$conns" -d"${secs}s" --latency "http://127.0.0.1:$port/")
  after=$(cpu_s "$pid")
  sw_after=$(switches "$pid")
  [[ $stats == stats ]] && timer=$(timer_per_request "$port")
  requests=$(awk '/requests in/ { print $1 }' <<<"$out")
  p50=$(to_us "$(awk '$1 == "50%" { print $2 }' <<<"$out")")
  awk -v b="$before" -v a="$after" -v n="$requests" -v p="$p50" -v sb="$sw_before" \
    -v sa="$sw_after" -v t="$timer" 'BEGIN {
      split(sb, x, " "); split(sa, y, " ")
      printf "%d %.1f %d %.3f %.3f %s\n", n, (a - b) * 1e6 / n, p, (y[1] - x[1]) / n, (y[2] - x[2]) / n, t }'
}

# Starts a server in the background; its pid is left in $started.
start() {
  "$@" >/dev/null 2>&1 &
  started=$!
  pids+=("$started")
}

echo "$(date -u '+%F %T') UTC, $(nproc) cores, ${secs} s per run, $rounds rounds; load: $(cut -d' ' -f1-3 /proc/loadavg)"
base_p50=""
for row in "0:1" $rows; do
  latency=${row%%:*}
  conns=${row##*:}
  start "$waitbench" serve --listen 127.0.0.1:18180 --latency "$latency"
  serve_pid=$started
  if [[ $latency == 0 ]]; then
    start "$hello" 127.0.0.1:18181
  else
    start "$hello" 127.0.0.1:18181 "$latency"
  fi
  hello_pid=$started
  sleep 1
  latency_us=$(to_us "$latency")
  for round in $(seq "$rounds"); do
    read -r n1 cpu1 p1 w1 i1 t1 < <(measure "$serve_pid" 18180 "$conns" stats)
    read -r n2 cpu2 p2 w2 i2 _ < <(measure "$hello_pid" 18181 "$conns")
    if [[ $row == "0:1" ]]; then
      base_p50=$p1
      base_hello=$p2
    fi
    awk -v l="$latency" -v c="$conns" -v r="$round" -v s="$secs" \
      -v n1="$n1" -v c1="$cpu1" -v p1="$p1" -v n2="$n2" -v c2="$cpu2" -v p2="$p2" \
      -v lu="$latency_us" -v b1="$base_p50" -v b2="$base_hello" \
      -v w1="$w1" -v i1="$i1" -v t1="$t1" -v w2="$w2" -v i2="$i2" 'BEGIN {
        printf "L=%-6s C=%-5s round %d | serve %8.0f req/s %6.1f µs/req, p50 overshoot %5d µs, per req: %.3f wake-ups (timer %s), %.3f preempted | plain sleep %8.0f req/s %6.1f µs/req, p50 overshoot %5d µs, per req: %.3f wake-ups, %.3f preempted | CPU ratio %.2fx, req/s ratio %.2f\n",
          l, c, r, n1 / s, c1, p1 - lu - b1, w1, t1, i1, n2 / s, c2, p2 - lu - b2, w2, i2, c1 / c2, n1 / n2 }'
  done
  kill "$serve_pid" "$hello_pid"
  wait "$serve_pid" "$hello_pid" 2>/dev/null || true
  pids=()
done
# The idle server must use no CPU: the timer is disarmed, nothing polls.
start "$waitbench" serve --listen 127.0.0.1:18180 --latency 1ms
serve_pid=$started
sleep 1
wrk -t1 -c10 -d1s http://127.0.0.1:18180/ >/dev/null
sleep 1
idle_before=$(cpu_s "$serve_pid")
sleep 10
idle_after=$(cpu_s "$serve_pid")
awk -v b="$idle_before" -v a="$idle_after" \
  'BEGIN { printf "idle: waitbench serve used %.2f s of CPU in 10 s after a load (resolution 0.01 s)\n", a - b }'
