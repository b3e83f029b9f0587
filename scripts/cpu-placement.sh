#!/usr/bin/env bash
# Claim D and the C = 1000 efficiency, with client and embedded server sharing the CPUs
# and pinned apart (server on one CPU, client on another), interleaved so that drift in
# the machine's load hits both placements alike.
#
#   scripts/cpu-placement.sh [ROUNDS] [SERVER_CPUS] [CLIENT_CPUS]    # default: 2 0 1
#
# Each round runs, in turn: `reproduce --only D` shared, then pinned, then
# `run -s reqwest-tokio -c 1000 -d 5s --warmup 1s --latency 50ms --trials 3` shared, then
# pinned. Every result is kept under target/cpu-placement/; the table at the end gives, per
# placement, D's throughputs and p99s (median trial of each series), D's verdict, the
# C = 1000 efficiency of each trial and the cores the whole process used; others.txt has
# the CPU other processes took during each run (they share these CPUs: read the figures
# with it).
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${1:-2}
server_cpus=${2:-0}
client_cpus=${3:-1}
out=target/cpu-placement
rm -rf "$out" && mkdir -p "$out"
if [[ -z ${WAITBENCH:-} ]]; then
    cargo build --release -p waitbench-cli --quiet
fi
bin=${WAITBENCH:-target/release/waitbench}
pinned=(--server-cpus "$server_cpus" --client-cpus "$client_cpus")

# Runs a command and appends the CPU that *other* processes used meanwhile, in cores
# (all busy CPU from /proc/stat minus the command's own), to $out/others.txt.
measured() {
    local label=$1
    shift
    python3 - "$label" "$out/others.txt" "$@" <<'PY'
import os, resource, subprocess, sys, time
def busy():
    f = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    return (sum(f) - f[3] - f[4]) / os.sysconf("SC_CLK_TCK")
label, log, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
b0, t0 = busy(), time.monotonic()
subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
wall, b1 = time.monotonic() - t0, busy()
own = resource.getrusage(resource.RUSAGE_CHILDREN)
others = (b1 - b0 - own.ru_utime - own.ru_stime) / wall
line = f"{label}: other processes used {others:.2f} cores over {wall:.0f} s"
print(line, file=sys.stderr)
open(log, "a").write(line + "\n")
PY
}
for ((r = 1; r <= rounds; r++)); do
    for placement in shared pinned; do
        flags=()
        [[ $placement == pinned ]] && flags=("${pinned[@]}")
        measured "round $r $placement D" \
            "$bin" reproduce --only D --quiet --out "$out/d-$placement-$r" "${flags[@]}"
    done
    for placement in shared pinned; do
        flags=()
        [[ $placement == pinned ]] && flags=("${pinned[@]}")
        measured "round $r $placement C=1000" \
            "$bin" run -s reqwest-tokio -c 1000 -d 5s --warmup 1s --latency 50ms --trials 3 \
            --quiet --json "$out/c1000-$placement-$r.json" "${flags[@]}"
    done
done

python3 - "$out" "$rounds" <<'PY'
import json, sys
out, rounds = sys.argv[1], int(sys.argv[2])
print(f"{'placement':9} {'round':5} {'D reqwest req/s':>16} {'D threads req/s':>16} {'D hyper req/s':>14} "
      f"{'D reqwest p99':>13} {'D verdict':>22} {'C=1000 efficiency (3 trials)':>30} {'process cores':>13}")
for r in range(1, rounds + 1):
    for placement in ("shared", "pinned"):
        d = json.load(open(f"{out}/d-{placement}-{r}/results.json"))
        series = {s["role"]: s["points"][0]["trials"] for s in d["scenarios"][0]["series"]}
        def median(role):
            trials = sorted(series[role]["trials"], key=lambda t: t["throughput_rps"])
            return trials[len(trials) // 2]
        verdict = next(c["verdict"] for c in d["claims"] if c["id"] == "D")
        c = json.load(open(f"{out}/c1000-{placement}-{r}.json"))["result"]["trials"]
        eff = " ".join(f"{t['littles_law']['efficiency']:.3f}" for t in c)
        # CPU of the whole process (client and embedded server) over warm-up and window.
        cores = " ".join(f"{(t['client']['process_cpu_user_s'] + t['client']['process_cpu_sys_s']) / (t['wall_time_s'] + 1.0):.2f}" for t in c)
        print(f"{placement:9} {r:5} {median('async')['throughput_rps']:16,.0f} "
              f"{median('threads')['throughput_rps']:16,.0f} {median('async-lean')['throughput_rps']:14,.0f} "
              f"{median('async')['latency']['p99_us'] / 1e3:10.2f} ms {verdict:>22} {eff:>30} {cores:>15}")
PY
