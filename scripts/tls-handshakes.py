#!/usr/bin/env python3
"""Server CPU per full and per resumed TLS handshake, from `waitbench serve --tls`'s /stats.

For each key type, starts `waitbench serve --tls --tls-key-type KT --threads 1` on a free
loopback port, then opens N connections that each start a new session (full handshakes),
then N connections that each offer the session of one earlier connection (resumed), one
at a time, each sending `GET /` and reading the response to its end (which also reads the
TLS 1.3 session tickets). The server's /stats gives the handshakes it counted by kind
and the thread CPU they cost; the difference of two /stats readings around each phase
is that phase's. The client is Python's ssl (OpenSSL), a different TLS stack from the
server's; its loop rate is printed too, but it is the client's limit, not the server's.

Why not `openssl s_time`: it closes each connection right after its Finished message,
so the server's write of the session tickets fails and rustls reports the handshake as
failed (counted in /stats `tls.failed`); and `-reuse` never reads a TLS 1.3 ticket.

Usage: scripts/tls-handshakes.py [N]      (WAITBENCH=path/to/waitbench for a prebuilt one)
"""

import json
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from pathlib import Path

N = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
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


def request(ctx: ssl.SSLContext, port: int, path: str, session=None):
    """One connection, one request read to its end: the body, the session, whether it resumed."""
    with socket.create_connection(("127.0.0.1", port)) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost", session=session) as tls:
            tls.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode())
            data = b""
            while chunk := tls.recv(65536):
                data += chunk
            return data.split(b"\r\n\r\n", 1)[1], tls.session, tls.session_reused


def main() -> None:
    binary = waitbench()
    print(f"load average {os.getloadavg()[0]:.2f}; N = {N} per phase; server on one worker thread")
    print("| key | handshake | server CPU per handshake | per core | client loop |")
    print("|---|---|---|---|---|")
    for key_type in ("ecdsa-p256", "rsa2048"):
        port = free_port()
        with tempfile.TemporaryFile() as log:
            server = subprocess.Popen(
                [binary, "serve", "--tls", "--tls-key-type", key_type, "--threads", "1",
                 "--listen", f"127.0.0.1:{port}"],
                stderr=log,
            )
            try:
                ca = None
                for _ in range(300):
                    log.seek(0)
                    text = log.read().decode()
                    if "trust it: curl --cacert " in text:
                        ca = text.split("trust it: curl --cacert ", 1)[1].split(" ", 1)[0]
                        break
                    time.sleep(0.1)
                if ca is None:
                    sys.exit(f"serve did not start: {text}")
                ctx = ssl.create_default_context(cafile=ca)
                ctx.set_alpn_protocols(["http/1.1"])
                stats = lambda: json.loads(request(ctx, port, "/stats")[0])["tls"]  # noqa: E731
                for kind in ("full", "resumed"):
                    session = request(ctx, port, "/")[1]
                    before = stats()
                    started, reused = time.perf_counter(), 0
                    for _ in range(N):
                        reused += request(ctx, port, "/", session if kind == "resumed" else None)[2]
                    wall = time.perf_counter() - started
                    after = stats()
                    count = after[kind] - before[kind]
                    cpu = after[f"{kind}_cpu_seconds"] - before[f"{kind}_cpu_seconds"]
                    if kind == "resumed" and reused != N:
                        sys.exit(f"only {reused} of {N} connections resumed")
                    print(f"| {key_type} | {kind} ({count}) | {cpu / count * 1e6:.0f} µs "
                          f"| {count / cpu:,.0f}/s | {N / wall:,.0f} conn/s |")
            finally:
                server.terminate()
                server.wait()


if __name__ == "__main__":
    main()
