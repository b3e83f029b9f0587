#!/usr/bin/env python3
"""The "Both stacks, side by side" table of docs/python.md: every Rust and Python
strategy, back to back on one machine, at three points.

    cargo build --release -p waitbench-cli && scripts/stacks-side-by-side.py [BIN]

- C = 100, L = 50 ms (closed loop, 5 s after a 1 s warm-up): client CPU per request and
  efficiency against the bound C/L;
- C = 100, L = 0 (closed loop, 5 s after 1 s): throughput and CPU per request;
- a batch of 500 distinct endpoints at L = 50 ms and C = 100: the total time.

Standard library only; prints a Markdown table.
"""

import json
import subprocess
import sys

BIN = sys.argv[1] if len(sys.argv) > 1 else "target/release/waitbench"
STRATEGIES = [
    ("ureq-sequential", []),
    ("ureq-threads", []),
    ("reqwest-tokio", []),
    ("hyper-tokio", []),
    ("py-requests", []),
    ("py-requests-session", []),
    ("py-threadpool", ["--threads", "default"]),
    ("py-threadpool", []),
    ("py-aiohttp", []),
    ("py-aiohttp-per-request", []),
    ("py-async-blocking", []),
    ("py-async-executor", []),
    ("py-process-pool", []),
]


def run(strategy, extra, *args):
    out = subprocess.run(
        [BIN, "run", "-s", strategy, *extra, *args, "--quiet", "--json", "-"],
        check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(out)["result"]["trials"][0]


def us(x):
    return f"{x:,.0f} µs" if x >= 10 else f"{x:.1f} µs"


print("| strategy | C = 100, L = 50 ms: client CPU / request | efficiency vs C/L "
      "| L = 0, C = 100: throughput | CPU / request | 500 endpoints, L = 50 ms, C = 100 |")
print("|---|---|---|---|---|---|")
for strategy, extra in STRATEGIES:
    waiting = run(strategy, extra, "-c", "100", "-d", "5s", "--warmup", "1s", "--latency", "50ms")
    saturated = run(strategy, extra, "-c", "100", "-d", "5s", "--warmup", "1s")
    fan_out = run(strategy, extra, "-n", "500", "-c", "100", "--distinct-endpoints",
                  "--latency", "50ms")
    name = strategy + (" " + " ".join(extra) if extra else "")
    print(f"| `{name}` | {us(waiting['client']['client_cpu_per_request_us'])} "
          f"| {waiting['littles_law']['efficiency']:.3f} "
          f"| {saturated['throughput_rps']:,.0f} req/s "
          f"| {us(saturated['client']['client_cpu_per_request_us'])} "
          f"| {fan_out['wall_time_s']:.2f} s |", flush=True)
