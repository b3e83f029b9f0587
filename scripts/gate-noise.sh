#!/usr/bin/env bash
# How noisy is the CI gate on unchanged code, and does it still catch a planted regression?
#
#   scripts/gate-noise.sh N                        # N checks of unchanged code
#   scripts/gate-noise.sh N --plant reqwest-tokio:in-flight=80%   # N checks with a plant
#
# Each run is a full `waitbench check` (quick suite for the baseline's claims, then the
# re-measurement of anything that failed). It keeps every run's results.json and check
# JSON under target/gate-noise/, then prints, per gated metric, the distribution of its
# value and the most of its tolerance any run used (its smallest margin), and the count
# of each verdict: without a plant every "regression" is a false alarm; with one, every
# run should be a regression.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${1:?usage: scripts/gate-noise.sh N [--plant STRATEGY:PLANT] [--baseline FILE]}
shift
extra=("$@")
label=unchanged
for ((i = 0; i < ${#extra[@]}; i++)); do
    [[ ${extra[i]} == --plant ]] && label="plant-${extra[i + 1]//[^a-zA-Z0-9]/-}"
done
out=target/gate-noise/$label
mkdir -p "$out"

# WAITBENCH=/path/to/waitbench measures a fixed binary (e.g. while the tree changes).
if [[ -z ${WAITBENCH:-} ]]; then
    cargo build --release -p waitbench-cli --quiet
fi
bin=${WAITBENCH:-target/release/waitbench}
echo "gate-noise: $runs runs ($label) into $out" >&2
for ((i = 1; i <= runs; i++)); do
    start=$(date +%s)
    set +e
    "$bin" check --quiet --out "$out/report-$i" --json "$out/check-$i.json" "${extra[@]}" >"$out/check-$i.txt" 2>&1
    code=$?
    set -e
    cp "$out/report-$i/results.json" "$out/results-$i.json" 2>/dev/null || true
    rm -rf "$out/report-$i"
    echo "run $i: exit $code in $(($(date +%s) - start))s" >&2
    echo "$code" >"$out/exit-$i"
done

python3 - "$out" "$runs" <<'PY'
import json, statistics, sys
out, runs = sys.argv[1], int(sys.argv[2])
verdicts, metrics, first_failures, confirmed = {}, {}, {}, {}
contended = 0
for i in range(1, runs + 1):
    code = int(open(f"{out}/exit-{i}").read())
    verdicts[code] = verdicts.get(code, 0) + 1
    try:
        doc = json.load(open(f"{out}/check-{i}.json"))
    except (OSError, ValueError):
        continue
    contended += bool(doc.get("contended"))
    for row in doc["rows"]:
        if not row["gate"]:
            continue
        m = metrics.setdefault(row["name"], [])
        m.append((row["current"], row["tolerance_used"], row["baseline"], row["tolerance"]))
        if row["status"] == "regressed":
            first_failures[row["name"]] = first_failures.get(row["name"], 0) + 1
        if row["fails"]:
            confirmed[row["name"]] = confirmed.get(row["name"], 0) + 1

def q(v, p):
    v = sorted(v)
    k = p * (len(v) - 1)
    lo, hi = int(k), min(int(k) + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)

print(f"{'metric':42} {'baseline':>9} {'tolerance':>16} {'min':>9} {'p10':>9} {'median':>9} {'p90':>9} {'max':>9} {'most used':>9} {'1st fail':>8} {'failed':>6}")
for name, rows in sorted(metrics.items()):
    values = [r[0] for r in rows]
    used = max(r[1] for r in rows)
    tol = rows[0][3]
    tol_text = ", ".join(f"{k} {v:g}" for k, v in tol.items())
    print(f"{name:42} {rows[0][2]:>9.4g} {tol_text:>16} {min(values):>9.4g} {q(values, .1):>9.4g} "
          f"{statistics.median(values):>9.4g} {q(values, .9):>9.4g} {max(values):>9.4g} "
          f"{used * 100:>8.0f}% {first_failures.get(name, 0):>8} {confirmed.get(name, 0):>6}")
names = {0: "pass", 1: "regression", 75: "inconclusive"}
print()
print("verdicts: " + ", ".join(f"{names.get(c, f'exit {c}')} {n}" for c, n in sorted(verdicts.items())))
print(f"regressions: {verdicts.get(1, 0)} of {runs} runs; contended runs (other processes > 0.25 cores): {contended}")
PY
