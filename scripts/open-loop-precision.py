#!/usr/bin/env python3
"""How precisely each strategy sends an open loop's requests on time, and what it costs.

For every strategy of `waitbench run --list` (Rust's; Python's too with --python) it
measures the closed-loop ceiling at C = 50 and L = 1 ms, then runs

    waitbench run -s S -r RATE -d 4s -c 50 --warmup 1s --latency 1ms --json F

against the embedded server at 1,000, 10,000 and 50,000 req/s wherever RATE is at most
half that ceiling (a strategy whose half-ceiling is under 1,000 req/s runs at its
half-ceiling instead), and once more with C = 1,000 at the lowest of those rates. It
prints one Markdown table: send lag p50 / p99 (how late the harness sent, actual −
intended), latency p50, the worst whole second's deviation from the requested rate, and
the client's CPU per request. With --before BIN, every open-loop run is also made with
that binary (e.g. one built from an older commit), alternating, and its send lag and CPU
per request are shown beside.

    scripts/open-loop-precision.py [--python] [--before BIN] [--strategies a,b]

The machine's load (`uptime`) is printed before and after: figures taken while other
processes use the CPU show their scheduling delays as send lag.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

RATES = [1_000, 10_000, 50_000]
WIDE_C = 1_000
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "waitbench")


def load():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def strategies(binary, python):
    out = subprocess.run([binary, "run", "--list"], check=True, capture_output=True, text=True)
    names = [line.split()[0] for line in out.stdout.splitlines()[1:] if line.strip()]
    return [n for n in names if python or not n.startswith("py-")]


def run(binary, args):
    """One `waitbench run` with --json; its trial, or None (and why) if it failed."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "run.json")
        done = subprocess.run(
            [binary, "run", *args, "--latency", "1ms", "--quiet", "--json", path],
            capture_output=True,
            text=True,
        )
        if not os.path.exists(path):
            lines = (done.stderr or done.stdout).strip().splitlines()
            return None, lines[-1] if lines else f"exit {done.returncode}"
        with open(path) as f:
            return json.load(f)["result"]["trials"][0], None


def ceiling(binary, strategy):
    """The closed-loop throughput at C = 50, and the concurrency the strategy reaches."""
    trial, why = run(binary, ["-s", strategy, "-d", "2s", "-c", "50", "--warmup", "500ms"])
    if trial is None:
        sys.exit(f"closed loop of {strategy} failed: {why}")
    return trial["throughput_rps"], trial["strategy"]["effective_concurrency"]


def open_loop(binary, strategy, rate, concurrency):
    args = ["-s", strategy, "-r", str(rate), "-d", "4s", "-c", str(concurrency), "--warmup", "1s"]
    return run(binary, args)


def us(value):
    return f"{value:,.0f}"


def figures(trial):
    lag = trial["open_loop"]["send_lag"]
    worst = trial["open_loop"].get("worst_second")
    return {
        "lag": f"{us(lag['p50_us'])} / {us(lag['p99_us'])} µs",
        "latency": f"{us(trial['latency']['p50_us'])} µs",
        "worst": "–" if worst is None else f"{worst['deviation'] * 100:+.2f}%",
        "cpu": f"{trial['client']['client_cpu_per_request_us']:.1f} µs",
        "ok": lag["p99_us"] <= 100,
    }


def plan(half, effective_concurrency):
    """(rate, C) of each open-loop run for a strategy whose half-ceiling is `half`."""
    rates = [r for r in RATES if r <= half]
    if not rates and half >= 10:
        # Rounded down to two significant digits, so that the rate stays under half the
        # ceiling and reads as a chosen figure.
        step = 10 ** (len(str(int(half))) - 2)
        rates = [int(half // step * step)]
    cases = [(rate, 50) for rate in rates]
    # A sequential strategy reaches one request in flight whatever C says.
    if rates and effective_concurrency > 1:
        cases.append((rates[0], WIDE_C))
    return cases


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--python", action="store_true", help="also the Python strategies")
    parser.add_argument("--before", help="another waitbench binary to compare with")
    parser.add_argument("--strategies", help="only these, comma-separated")
    parser.add_argument("--no-build", action="store_true", help="use the built binary as is")
    opts = parser.parse_args()
    if not opts.no_build:
        subprocess.run(
            ["cargo", "build", "--release", "-q", "-p", "waitbench-cli"], cwd=ROOT, check=True
        )
    names = opts.strategies.split(",") if opts.strategies else strategies(BIN, opts.python)
    start_load = load()
    print(f"load before: {start_load} (uptime's 1, 5, 15 min averages)", file=sys.stderr)
    header = "| strategy | C | rate (req/s) | ceiling/2 | send lag p50 / p99 | ≤ 100 µs | latency p50 | worst second | client CPU/request |"
    rule = "|---|---|---|---|---|---|---|---|---|"
    if opts.before:
        header += " before: send lag p50 / p99 | before: CPU/request |"
        rule += "---|---|"
    rows = []
    for strategy in names:
        top, reached = ceiling(BIN, strategy)
        half = top / 2
        print(f"{strategy}: closed-loop ceiling/2 {half:,.0f} req/s", file=sys.stderr)
        for rate, concurrency in plan(half, reached):
            before = None
            if opts.before:
                before, _ = open_loop(opts.before, strategy, rate, concurrency)
            trial, why = open_loop(BIN, strategy, rate, concurrency)
            if trial is None:
                rows.append(f"| `{strategy}` | {concurrency:,} | {rate:,} | {half:,.0f} | failed: {why} |")
                continue
            f = figures(trial)
            row = (
                f"| `{strategy}` | {concurrency:,} | {rate:,} | {half:,.0f} | {f['lag']} | "
                f"{'yes' if f['ok'] else 'no'} | {f['latency']} | {f['worst']} | {f['cpu']} |"
            )
            if opts.before:
                b = figures(before) if before else {"lag": "failed", "cpu": "–"}
                row += f" {b['lag']} | {b['cpu']} |"
            rows.append(row)
            print(row, file=sys.stderr)
    print(f"\nload before: {start_load}; after: {load()} (on {os.cpu_count()} cores)\n")
    print(header)
    print(rule)
    for row in rows:
        print(row)


if __name__ == "__main__":
    main()
