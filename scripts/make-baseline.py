#!/usr/bin/env python3
"""Write fixtures/baselines/ci.json from K independent quick-suite runs.

Each gated metric's value is the median over the runs, and its tolerance is
max(floor, SPREAD_FACTOR x the measured min-max range), so the tolerance is justified
by the spread actually measured on this machine. The note of each metric records that
range. Metric names follow `waitbench check`: `{claim}.{role}@{x}.{metric}` for
points, `claim.{id}.{figure}` for claim figures.

Usage: scripts/make-baseline.py OUT.json results-1.json results-2.json ...
"""
import json
import statistics
import sys

SPREAD_FACTOR = 3.0

# (name, direction, tolerance kind, floor, gate, why)
METRICS = [
    ("C.async@100.efficiency", "higher", "relative", 0.05, True, "async keeps C in flight: X/(C/L)"),
    ("C.async@300.efficiency", "higher", "relative", 0.05, True, "async keeps C in flight: X/(C/L)"),
    ("C.async@1000.efficiency", "higher", "relative", 0.08, True, "async at C=1000 on 2 shared cores"),
    ("C.threads-right-sized@100.efficiency", "higher", "relative", 0.05, True, "one thread per request reaches C/L"),
    ("C.threads-right-sized@300.efficiency", "higher", "relative", 0.08, True, "one thread per request reaches C/L"),
    ("A.async-cap-13@13.efficiency", "higher", "relative", 0.05, True, "a cap of 13 finishes in ceil(N/13) waves"),
    ("claim.B.saving_reqwest", "higher", "absolute", 0.05, True, "reuse saves setup/(setup+L) = 40%"),
    ("claim.B.saving_ureq", "higher", "absolute", 0.05, True, "reuse saves setup/(setup+L) = 40%"),
    ("claim.F2.throughput_ratio", "lower", "absolute", 0.05, True, "blocking in a current-thread runtime serialises"),
    ("claim.G.cancel_issued_after", "lower", "absolute", 10.0, True, "cancel stops issuing at the first failure"),
    ("claim.G.accounting_balanced", "higher", "absolute", 0.0, True, "every request accounted for"),
    ("G.wait-all@10.accounting_violations", "lower", "absolute", 0.0, True, "sent == ok + http + errors"),
    ("G.cancel@10.accounting_violations", "lower", "absolute", 0.0, True, "sent == ok + http + errors, cancelled included"),
    ("C.async@1.overshoot_p50_us", "lower", "absolute", 500.0, True, "client + server overhead above the injected 100 ms"),
    ("C.async@1000.throughput_rps", "higher", "relative", 0.5, False, "absolute: tracked, not gated"),
    ("C.async@1000.p99_us", "lower", "relative", 0.5, False, "absolute: tracked, not gated"),
    ("D.async@100.throughput_rps", "higher", "relative", 0.5, False, "absolute: tracked, not gated"),
    ("D.threads@100.throughput_rps", "higher", "relative", 0.5, False, "absolute: tracked, not gated"),
]


def x_text(x):
    return str(int(x)) if float(x).is_integer() else repr(x)


def metrics(results):
    out = {}
    for row in results["claims"]:
        for figure, value in row.get("figures", {}).items():
            out[f"claim.{row['id']}.{figure}"] = value
    for scenario in results["scenarios"]:
        for series in scenario["series"]:
            for point in series["points"]:
                key = f"{scenario['claim']}.{series['role']}@{x_text(point['x'])}"
                trials = point["trials"]
                out[f"{key}.throughput_rps"] = trials["throughput_rps"]["median"]
                out[f"{key}.p99_us"] = trials["p99_us"]["median"]
                if trials.get("efficiency"):
                    out[f"{key}.efficiency"] = trials["efficiency"]["median"]
                violations = 0
                for run in trials["trials"]:
                    c = run["counts"]
                    violations += abs(c["sent"] - (c["ok"] + c["http_errors"] + c["errors"]))
                out[f"{key}.accounting_violations"] = violations
                runs = sorted(trials["trials"], key=lambda r: r["throughput_rps"])
                median = runs[len(runs) // 2]
                latency = median["injected"].get("latency") or ""
                if latency.endswith("ms") and latency[:-2].replace(".", "").isdigit():
                    out[f"{key}.overshoot_p50_us"] = median["latency"]["p50_us"] - float(latency[:-2]) * 1000
    return out


def main():
    out_path, inputs = sys.argv[1], sys.argv[2:]
    runs = [metrics(json.load(open(p))) for p in inputs]
    baseline = {
        "schema_version": 1,
        "comment": (
            f"Values are medians over {len(runs)} independent `waitbench reproduce --quick` runs on "
            f"a 2-core machine; each gated tolerance is max(floor, {SPREAD_FACTOR:g} x the min-max "
            "range measured over those runs) (see each note). Written by scripts/make-baseline.py."
        ),
        "metrics": {},
    }
    for name, direction, kind, floor, gate, why in METRICS:
        values = [r[name] for r in runs if name in r]
        if len(values) != len(runs):
            sys.exit(f"{name}: present in {len(values)} of {len(runs)} runs")
        median = statistics.median(values)
        spread = max(values) - min(values)
        if kind == "relative":
            tolerance = max(floor, SPREAD_FACTOR * spread / abs(median) if median else floor)
        else:
            tolerance = max(floor, SPREAD_FACTOR * spread)
        baseline["metrics"][name] = {
            "value": round(median, 4),
            "direction": direction,
            "tolerance": {kind: round(tolerance, 4)},
            "gate": gate,
            "note": f"{why}; {len(values)} runs: min {min(values):.4g}, max {max(values):.4g}",
        }
    with open(out_path, "w") as f:
        json.dump(baseline, f, indent=2)
        f.write("\n")
    print(f"wrote {out_path} with {len(METRICS)} metrics from {len(runs)} runs")


if __name__ == "__main__":
    main()
