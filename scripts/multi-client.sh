#!/usr/bin/env bash
# The distributed flow on one machine: one standalone `waitbench serve`, N client
# processes on loopback each sending its share of the rate, started together with
# --start-at, then `waitbench merge` adding their documents up. The same steps as the
# Kubernetes manifests in scripts/deploy/k8s/ and the ssh recipe in docs/distributed.md.
#
#   scripts/multi-client.sh N [RATE] [DURATION] [STRATEGY]    # default: 4 2000 10s hyper-tokio
#
# RATE is the total; each client gets RATE/N (Vegeta's distributed mode divides it the
# same way). Files go to target/multi-client/N/: run-i.json and run-i.hlog per client,
# merged.json, and single.json, one client alone at the full RATE for comparison.
set -euo pipefail
cd "$(dirname "$0")/.."

clients=${1:?usage: scripts/multi-client.sh N [RATE] [DURATION] [STRATEGY]}
rate=${2:-2000}
duration=${3:-10s}
strategy=${4:-hyper-tokio}
out=target/multi-client/$clients
rm -rf "$out" && mkdir -p "$out"
if [[ -z ${WAITBENCH:-} ]]; then
    cargo build --release -p waitbench-cli --quiet
fi
bin=${WAITBENCH:-target/release/waitbench}

# A server on a free port; its first line on stderr says where.
"$bin" serve --listen 127.0.0.1:0 2>"$out/serve.log" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do
    url=$(grep -o 'http://[0-9.:]*' "$out/serve.log" | head -1 || true)
    [[ -n $url ]] && break
    sleep 0.1
done
[[ -n ${url:-} ]] || { echo "the server did not start: $(cat "$out/serve.log")" >&2; exit 1; }

share=$(python3 -c "print($rate / $clients)")
common=(run -s "$strategy" -c 200 -d "$duration" --warmup 1s --latency 5ms --target "$url" --quiet)
start=$(($(date +%s) + 3))
echo "server $url; $clients clients × $share req/s from @$start" >&2
pids=()
for ((i = 0; i < clients; i++)); do
    "$bin" "${common[@]}" --rate "$share" --start-at "@$start" \
        --json "$out/run-$i.json" --hlog "$out/run-$i.hlog" >"$out/run-$i.txt" 2>&1 &
    pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
"$bin" merge "$out"/run-*.json --out "$out/merged.json" >"$out/merged.txt"
"$bin" "${common[@]}" --rate "$rate" --json "$out/single.json" >"$out/single.txt" 2>&1

python3 - "$out" "$clients" <<'PY'
import glob, json, sys
out, n = sys.argv[1], int(sys.argv[2])
def trial(path):
    return json.load(open(path))["result"]["trials"][0]
rows = [(f"client {i}", trial(f"{out}/run-{i}.json")) for i in range(n)]
rows += [(f"merged ({n})", trial(f"{out}/merged.json")), ("one client, full rate", trial(f"{out}/single.json"))]
print(f"{'':22} {'requested':>10} {'achieved':>10} {'sent':>8} {'p50':>9} {'p99':>9} {'max':>9} {'late sends':>10}")
for name, t in rows:
    o, l = t["open_loop"], t["latency"]
    print(f"{name:22} {o['requested_rps']:10,.0f} {o['achieved_rps']:10,.0f} {t['counts']['sent']:8,} "
          f"{l['p50_us'] / 1e3:7.2f}ms {l['p99_us'] / 1e3:7.2f}ms {l['max_us'] / 1e3:7.2f}ms {o['late_sends']:10,}")
PY
