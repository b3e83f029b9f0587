#!/usr/bin/env bash
# Soak: each strategy holds C connections for D seconds against a standalone
# `waitbench serve`, and every 5 s this prints the client's and the server's RSS, threads
# and open descriptors, the server's requests in flight, the requests it served in those
# 5 s, and the connections the client has opened (run's own /health and /stats requests
# included): a client that loses connections opens new ones, so broken ones show there.
# At the end of each run: the client's exact counts (sent, ok, error statuses, errors by
# kind) from its --json, its RSS growth after warm-up in % per minute, and the server's
# threads and descriptors against their values before the run (they must come back).
#
# L is 1 s so that C = 5,000 offers 5,000 req/s, well under the CPU ceiling of 2 shared
# cores (the server alone serves ~75k req/s at C = 5,000).
#
# Usage: scripts/soak.sh [connections] [seconds] [strategies...]
#   scripts/soak.sh                       # 5000 connections, 60 s: hyper-tokio reqwest-tokio ureq-threads
#   scripts/soak.sh 500 10 hyper-tokio    # a quick look
# WAITBENCH=path/to/waitbench uses that binary instead of building target/release's;
# SOAK_WARMUP=60 warms up for 60 s instead of 10 (RSS growth is judged after it);
# SOAK_LATENCY=2s injects 2 s instead of 1 s.
set -euo pipefail
cd "$(dirname "$0")/.."
connections=${1:-5000}
seconds=${2:-60}
shift $(($# < 2 ? $# : 2))
strategies=("$@")
[ ${#strategies[@]} -gt 0 ] || strategies=(hyper-tokio reqwest-tokio ureq-threads)
warmup=${SOAK_WARMUP:-10}
latency=${SOAK_LATENCY:-1s}
port=${SOAK_PORT:-18090}

if [ -z "${WAITBENCH:-}" ]; then
  cargo build --release -q -p waitbench-cli
  WAITBENCH=target/release/waitbench
fi
for tool in curl jq; do
  command -v "$tool" >/dev/null || { echo "soak.sh needs $tool" >&2; exit 2; }
done
ulimit -n "$(ulimit -Hn)"

work=$(mktemp -d)
server_pid=
client_pid=
cleanup() {
  [ -n "$client_pid" ] && kill "$client_pid" 2>/dev/null || true
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# RSS in KiB, threads and open descriptors of a process, as "rss threads fds".
usage() {
  local pid=$1 rss threads fds
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null) || rss=0
  threads=$(awk '/^Threads:/ {print $2}' "/proc/$pid/status" 2>/dev/null) || threads=0
  fds=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
  echo "${rss:-0} ${threads:-0} $fds"
}
stats() { curl -s --max-time 2 "http://127.0.0.1:$port/stats"; }

"$WAITBENCH" serve --listen "127.0.0.1:$port" --latency "$latency" \
  --max-connections $((connections * 2)) 2>"$work/serve.log" &
server_pid=$!
for _ in $(seq 50); do stats >/dev/null 2>&1 && break; sleep 0.2; done
stats >/dev/null || { cat "$work/serve.log" >&2; exit 3; }

echo "soak: C=$connections for ${seconds}s (+${warmup}s warm-up), L=$latency, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for strategy in "${strategies[@]}"; do
  read -r _ s_threads0 s_fds0 < <(usage "$server_pid")
  doc=$(stats)
  served0=$(jq .requests_served <<<"$doc")
  conns0=$(jq .connections_accepted <<<"$doc")
  samples=0
  echo
  echo "== $strategy: server before: threads $s_threads0, fds $s_fds0"
  printf '%6s  %-28s  %-28s  %9s  %12s  %9s\n' t "client rss/threads/fds" \
    "server rss/threads/fds" in-flight client-conns "served/s"
  "$WAITBENCH" run -s "$strategy" -c "$connections" -d "${seconds}s" --warmup "${warmup}s" \
    --target "http://127.0.0.1:$port" --quiet --json "$work/$strategy.json" \
    >"$work/$strategy.out" 2>"$work/$strategy.err" &
  client_pid=$!
  start=$(date +%s)
  previous=$served0
  rss_after_warmup=
  rss_last=
  while kill -0 "$client_pid" 2>/dev/null; do
    sleep 5
    kill -0 "$client_pid" 2>/dev/null || break
    t=$(($(date +%s) - start))
    read -r c_rss c_threads c_fds < <(usage "$client_pid")
    read -r s_rss s_threads s_fds < <(usage "$server_pid")
    doc=$(stats)
    samples=$((samples + 1))
    served=$(jq .requests_served <<<"$doc")
    # Connections the client opened so far: the server's count less this script's probes.
    conns=$(($(jq .connections_accepted <<<"$doc") - conns0 - samples))
    printf '%5ss  %8.1f MiB %6s %8s    %8.1f MiB %6s %8s    %9s  %12s  %9s\n' "$t" \
      "$(bc -l <<<"$c_rss/1024")" "$c_threads" "$c_fds" \
      "$(bc -l <<<"$s_rss/1024")" "$s_threads" "$s_fds" \
      "$(jq .in_flight <<<"$doc")" "$conns" \
      $(((served - previous) / 5))
    previous=$served
    if [ "$t" -ge $((warmup + 5)) ] && [ -z "$rss_after_warmup" ] && [ "$c_fds" -ge "$connections" ]; then
      rss_after_warmup=$c_rss
      t_after_warmup=$t
    fi
    # A sample taken while the client closes its connections is not the steady state.
    [ "$c_fds" -ge "$connections" ] && { rss_last=$c_rss; t_last=$t; }
  done
  code=0
  wait "$client_pid" || code=$?
  client_pid=
  if [ "$code" -ne 0 ]; then
    echo "run failed with exit code $code:" >&2
    cat "$work/$strategy.err" >&2
    exit "$code"
  fi
  jq -r '.result.trials[0].counts
    | "client counts: sent \(.sent), ok \(.ok), error statuses \(.http_errors), errors \(.errors) \(.by_error), warm-up sent \(.warmup_sent)"' \
    "$work/$strategy.json"
  if [ -n "$rss_after_warmup" ] && [ -n "$rss_last" ] && [ "$t_last" -gt "$t_after_warmup" ]; then
    echo "client RSS after warm-up: $((rss_after_warmup / 1024)) MiB at ${t_after_warmup}s, $((rss_last / 1024)) MiB at ${t_last}s:" \
      "$(bc -l <<<"scale=2; 100 * ($rss_last - $rss_after_warmup) / $rss_after_warmup * 60 / ($t_last - $t_after_warmup)") % per minute"
  fi
  # Connections close when the client exits; give the server a moment to reap them.
  for _ in $(seq 50); do
    read -r _ s_threads s_fds < <(usage "$server_pid")
    [ "$s_fds" -le "$s_fds0" ] && [ "$s_threads" -le "$s_threads0" ] && break
    sleep 0.2
  done
  echo "server after: threads $s_threads (before $s_threads0), fds $s_fds (before $s_fds0)"
done
