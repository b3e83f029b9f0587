#!/usr/bin/env python3
"""Claim B over real TLS, and HTTP/1.1 against HTTP/2, measured with `waitbench run`
against `waitbench serve --tls` (resumption on; ALPN offers h2 and http/1.1).

Part 1, claim B's three arms per Rust library, each a batch of N requests at C = 10 with
L = 15 ms: a kept session (the shared client), a new connection per request with a full
handshake (`--tls-resume off`), and with a resumed one (`--tls-resume on`); once with the
injected 10 ms connect delay (the scenario's model of a network round trip) and once
without (the handshake's own cost only). Saving = 1 - mean latency(shared) / mean
latency(arm). Client CPU per new connection = (client CPU per request of the arm - that
of the shared client); server CPU per handshake from the server's /stats (`tls`),
read around each run; handshakes by kind from the run's own connection report.

Part 2, at L = 200 ms: threads (ureq-threads, one connection each), async over HTTP/1.1
(hyper-tokio), async over HTTP/2 (hyper-tokio-h2 on 1, 2 and 8 connections) at
C = 100 and 1,000 (5,000 with --big); then hyper-tokio-h2 on one connection at
C = 50, 100, 200, 400 against the server's limit of 100 streams per connection: the
server's max in flight stops at 100 and the rest queue in the client. In-flight ratio
= the server's max in flight / C.

Usage: scripts/tls-reuse-and-h2.py [N] [--big]   (WAITBENCH=path/to/waitbench for a prebuilt one)
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
N = int(ARGS[0]) if ARGS else 300
BIG = "--big" in sys.argv
ROOT = Path(__file__).resolve().parent.parent


def waitbench() -> str:
    if os.environ.get("WAITBENCH"):
        return os.environ["WAITBENCH"]
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "waitbench-cli"], cwd=ROOT, check=True)
    return str(ROOT / "target" / "release" / "waitbench")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`waitbench serve --tls` on a free port; each run reads its /stats (the result's
    `server` figures)."""

    def __init__(self, binary: str, threads: int):
        self.port = free_port()
        self.proc = subprocess.Popen(
            [binary, "serve", "--tls", "--threads", str(threads), "--listen", f"127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(1.5)
        self.url = f"https://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait()


def run(binary: str, url: str, strategy: str, c: int, n: int, *flags: str) -> dict:
    """One `waitbench run`, its first trial's result."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run(
            [binary, "run", "-s", strategy, "-c", str(c), "-n", str(n), "--target", url,
             "--quiet", "--json", out.name, *flags],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        return json.load(open(out.name))["result"]["trials"][0]


def part1(binary: str) -> None:
    server = Server(binary, 2)
    print(f"== claim B over TLS: N = {N}, C = 10, L = 15 ms, load average {os.getloadavg()[0]:.2f}")
    try:
        for delay in ["10ms", "0s"]:
            conditions = ["--latency", "15ms", "--connect-delay", delay]
            for library, shared, fresh in [("reqwest", "reqwest-tokio", "reqwest-per-request"),
                                           ("ureq", "ureq-threads", "ureq-per-request")]:
                kept = run(binary, server.url, shared, 10, N, *conditions)
                base_lat = kept["latency"]["mean_us"]
                base_cpu = kept["client"]["client_cpu_per_request_us"]
                print(f"connect delay {delay:>4}  {library:8} kept session: mean {base_lat/1e3:.2f} ms")
                for resume in ["off", "on"]:
                    arm = run(binary, server.url, fresh, 10, N, *conditions, "--tls-resume", resume)
                    tls = arm["connections"]["tls"]
                    saving = 1 - base_lat / arm["latency"]["mean_us"]
                    cpu_conn = arm["client"]["client_cpu_per_request_us"] - base_cpu
                    server_cpu = (arm.get("server") or {}).get("cpu_s", float("nan"))
                    print(f"connect delay {delay:>4}  {library:8} new connection, resume {resume:3}: "
                          f"mean {arm['latency']['mean_us']/1e3:.2f} ms, saving by reuse {saving*100:5.1f}%, "
                          f"handshakes full {tls['full']} resumed {tls['resumed']}, "
                          f"connect {arm['connections']['connect_mean_us']:.0f} µs, "
                          f"client CPU per new connection {cpu_conn:.0f} µs, "
                          f"server CPU per request {server_cpu / N * 1e6:.0f} µs")
    finally:
        server.stop()


def part2(binary: str) -> None:
    server = Server(binary, 2)
    cs = [100, 1000] + ([5000] if BIG else [])
    print(f"== HTTP/1.1 against HTTP/2: L = 200 ms, 3 requests per worker, load average {os.getloadavg()[0]:.2f}")
    try:
        for c in cs:
            arms = [("threads (ureq-threads)", "ureq-threads", []),
                    ("async HTTP/1.1 (hyper-tokio)", "hyper-tokio", [])]
            arms += [(f"async HTTP/2 on {k} (hyper-tokio-h2)", "hyper-tokio-h2", ["--connections", str(k)])
                     for k in (1, 2, 8)]
            for label, strategy, flags in arms:
                r = run(binary, server.url, strategy, c, 3 * c, "--latency", "200ms", *flags)
                srv = r.get("server") or {}
                print(f"C = {c:5}  {label:36} {r['throughput_rps']:8.0f} req/s  p99 {r['latency']['p99_us']/1e3:7.1f} ms  "
                      f"client CPU {r['client']['client_cpu_s']:.2f} s  server CPU {srv.get('cpu_s', float('nan')):.2f} s  "
                      f"RSS peak {(r['client'].get('rss_peak_bytes') or 0)/2**20:.0f} MiB  "
                      f"threads {r['client'].get('threads_peak')}  connections {r['connections']['opened']}  "
                      f"server max in flight {srv.get('max_in_flight')}")
        print("== streams per connection across the server's limit (100): hyper-tokio-h2, one connection")
        for c in [50, 100, 200, 400]:
            r = run(binary, server.url, "hyper-tokio-h2", c, 3 * c, "--latency", "200ms", "--connections", "1")
            srv = r.get("server") or {}
            in_flight = srv.get("max_in_flight") or 0
            print(f"C = {c:4}  {r['throughput_rps']:7.0f} req/s  p99 {r['latency']['p99_us']/1e3:6.1f} ms  "
                  f"server max in flight {in_flight}  in-flight ratio {in_flight / c:.2f}")
    finally:
        server.stop()


if __name__ == "__main__":
    binary = waitbench()
    part1(binary)
    part2(binary)
