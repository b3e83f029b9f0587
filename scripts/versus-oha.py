#!/usr/bin/env python3
"""waitbench's async strategies beside oha on the same mock server, measured back to back.

Starts one standalone `waitbench serve`, then runs R rounds; each round runs every
contender once, in turn, for D seconds at C connections and zero injected latency:

  oha -c C -z D --no-tui                         hyper driven directly, a runtime per core
  waitbench run -s reqwest-tokio -c C -d D ...   the strategy, with waitbench's measurement
  waitbench run -s hyper-tokio -c C -d D ...     bare hyper connections, same measurement
  client_ceiling reqwest|hyper multi-thread ...  the same clients in a bare loop: no
                                                 dispatcher, recorder or sampler
  (plus any extra `waitbench run` flag sets given with --variant, e.g.
   --variant "reqwest current-thread=-s reqwest-tokio --runtime current-thread")

For each run it records the client's req/s, the client's CPU per request (from the child's
rusage, so it includes start-up and warm-up), and the server's CPU per request (from /stats
deltas). Both programs share the machine's cores, so at zero latency req/s is about
cores / (client + server CPU per request): the per-request CPU columns say why a client
is faster. Interleaving the contenders spreads the machine's background noise over all
of them; the table reports the median over the rounds and the min-max.

Needs oha on PATH (`cargo install oha --locked`). Usage:
  scripts/versus-oha.py [--rounds R] [--seconds D] [--concurrency C]
                        [--variant "LABEL=FLAGS"]...
"""

import argparse
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "waitbench")
CEILING = os.path.join(ROOT, "target", "release", "examples", "client_ceiling")
PORT = 18095
TARGET = f"http://127.0.0.1:{PORT}"


def server_stats():
    with urllib.request.urlopen(TARGET + "/stats", timeout=5) as response:
        return json.load(response)


def timed(argv):
    """Runs argv to the end; returns (stdout, client CPU seconds)."""
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        sys.exit(f"error: {shlex.join(argv)} exited with {child.returncode}")
    return out, usage.ru_utime + usage.ru_stime


def run_oha(seconds, concurrency):
    out, cpu = timed(["oha", "-c", str(concurrency), "-z", f"{seconds}s", "--no-tui",
                      "--output-format", "json", TARGET + "/"])
    return json.loads(out)["summary"]["requestsPerSec"], cpu


def run_waitbench(seconds, concurrency, flags, json_path):
    argv = [BIN, "run", "-c", str(concurrency), "-d", f"{seconds}s", "--warmup", "1s",
            "--target", TARGET, "--json", json_path] + flags
    _, cpu = timed(argv)
    with open(json_path) as f:
        rps = json.load(f)["result"]["trials"][0]["throughput_rps"]
    return rps, cpu


def run_ceiling(seconds, concurrency, client):
    out, cpu = timed([CEILING, client, "multi-thread", str(concurrency), str(seconds),
                      TARGET + "/"])
    # "... C=100 5.0s: 46405 req/s, client CPU 23.6 µs/request, 0 failed"
    rps = float(out.decode().split(": ", 1)[1].split(" req/s")[0])
    return rps, cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=6)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--variant", action="append", default=[],
                        help='extra waitbench contender, "LABEL=FLAGS" (FLAGS include -s NAME)')
    args = parser.parse_args()
    if shutil.which("oha") is None:
        sys.exit("error: oha is not on PATH; install it with `cargo install oha --locked`")
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "waitbench-cli"], cwd=ROOT,
                   check=True)
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "waitbench-strategies",
                    "--example", "client_ceiling"], cwd=ROOT, check=True)
    d, c = args.seconds, args.concurrency
    json_path = os.path.join(tempfile.gettempdir(), f"versus-oha-{os.getpid()}.json")
    contenders = [
        ("oha", lambda: run_oha(d, c)),
        ("waitbench reqwest-tokio", lambda: run_waitbench(d, c, ["-s", "reqwest-tokio"], json_path)),
        ("waitbench hyper-tokio", lambda: run_waitbench(d, c, ["-s", "hyper-tokio"], json_path)),
        ("bare reqwest loop", lambda: run_ceiling(d, c, "reqwest")),
        ("bare hyper loop", lambda: run_ceiling(d, c, "hyper")),
    ]
    for variant in args.variant:
        label, _, flags = variant.partition("=")
        contenders.append((label, lambda f=shlex.split(flags): run_waitbench(d, c, f, json_path)))

    server = subprocess.Popen([BIN, "serve", "--listen", f"127.0.0.1:{PORT}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rows = {label: [] for label, _ in contenders}
    try:
        for _ in range(50):
            try:
                server_stats()
                break
            except OSError:
                time.sleep(0.1)
        for round_no in range(1, args.rounds + 1):
            for label, measure in contenders:
                before = server_stats()
                rps, cpu = measure()
                after = server_stats()
                served = after["requests_served"] - before["requests_served"]
                server_cpu = after["cpu_seconds"] - before["cpu_seconds"]
                row = (rps, 1e6 * cpu / served, 1e6 * server_cpu / served)
                rows[label].append(row)
                print(f"round {round_no}  {label:<26} {rps:>9,.0f} req/s   client "
                      f"{row[1]:5.1f} µs/req   server {row[2]:5.1f} µs/req", flush=True)
    finally:
        server.terminate()
        server.wait()
        if os.path.exists(json_path):
            os.remove(json_path)

    oha_median = statistics.median(r[0] for r in rows["oha"])
    print(f"\nmedian of {args.rounds} rounds, C={args.concurrency}, {args.seconds}s each, "
          f"latency 0 (client CPU per request includes start-up and warm-up)")
    print("| contender | req/s (min–max) | vs oha | client µs/req | server µs/req |")
    print("|---|---|---|---|---|")
    for label, _ in contenders:
        rps = [r[0] for r in rows[label]]
        med = statistics.median(rps)
        print(f"| {label} | {med:,.0f} ({min(rps):,.0f}–{max(rps):,.0f}) | "
              f"{100 * med / oha_median:.0f}% | "
              f"{statistics.median(r[1] for r in rows[label]):.1f} | "
              f"{statistics.median(r[2] for r in rows[label]):.1f} |")


if __name__ == "__main__":
    main()
