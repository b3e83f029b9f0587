#!/usr/bin/env bash
# What waitbench's per-request recording costs a Python client: the same client in a
# bare closed loop (crates/strategies/src/runtimes/python/client/ceiling.py: no tickets,
# clock reads or lines written) against `waitbench run` of its strategy, with waitbench's
# tickets and self-paced (--self-paced), alternated PAIRS times on one server at zero
# latency, where the client's CPU per request is all there is to see.
#
#     scripts/python-overhead.sh [PAIRS] [SECONDS] [CLIENT…]
#
# CLIENTs (e.g. py-aiohttp) limit it to those clients; all five by default.
#
# It ends with the medians and the differences (scripts/overhead-summary.py).
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=${1:-3}
seconds=${2:-5}
shift $(($# < 2 ? $# : 2))
only=" $* "
cargo build --release -q -p waitbench-cli
bin=target/release/waitbench
port=18977
"$bin" serve --listen 127.0.0.1:$port >/dev/null 2>&1 &
server=$!
sleep 1
url=http://127.0.0.1:$port
# The first Python run makes waitbench's virtual environment; use its interpreter.
"$bin" run -s py-requests-session -n 1 --target $url --quiet >/dev/null
python=$(ls -td "${XDG_CACHE_HOME:-$HOME/.cache}"/waitbench/python/venv-*/ | head -1)bin/python
runs=$(mktemp)
trap 'kill $server; rm -f "$runs"' EXIT
measure() {
    for case in "py-requests-session 1" "py-threadpool 100" "py-aiohttp 100" "py-gevent 100" \
        "py-aiohttp-uvloop 100"; do
        set -- $case
        [[ $only == "  " || $only == *" $1 "* ]] || continue
        for _ in $(seq "$pairs"); do
            "$python" crates/strategies/src/runtimes/python/client/ceiling.py "$1" "$2" "$seconds" "$url/"
            for paced in "" --self-paced; do
                "$bin" run -s "$1" -c "$2" -d "${seconds}s" --warmup 1s --target $url --quiet \
                    $paced --json - 2>/dev/null |
                    python3 -c 'import json, sys
r = json.load(sys.stdin)["result"]["trials"][0]
print("waitbench %s%s: %.0f req/s, client CPU %.1f µs/request, hand-out round trip %.0f µs" % (
      r["strategy"]["name"], sys.argv[1], r["throughput_rps"],
      r["client"]["client_cpu_per_request_us"], r["extras"]["handout_round_trip_us"]))' "${paced:+ $paced}"
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
