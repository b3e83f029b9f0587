"""Runs one pattern: ``python main.py`` reads the job line (client protocol 1) on stdin,
then the pattern's module (``py-aiohttp`` is ``py_aiohttp.py``, named in the job's
options) runs it.

Guarded by ``__name__``: a process pool's workers (forkserver or spawn) import the main
module again, and must not read a job of their own."""

import importlib
import json
import os
import signal
import sys

import tls
from harness import PROTOCOL, Run, say


def read_line():
    """One line of stdin, read a byte at a time: the harness' reader takes the rest of
    stdin, so nothing past this line may be buffered here."""
    line = bytearray()
    while (byte := os.read(0, 1)) and byte != b"\n":
        line += byte
    return line.decode()


def main():
    # waitbench decides what an interruption means, and says "stop".
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    word, _, text = read_line().partition(" ")
    job = json.loads(text) if word == "job" else {}
    if job.get("protocol") != PROTOCOL:
        say(f"fail unsupported protocol {job.get('protocol')}\n")
        sys.exit(1)
    try:
        pattern = importlib.import_module(job["options"]["pattern"].replace("-", "_"))
    except ImportError as error:
        say(f"fail {error}\n")
        sys.exit(1)
    run = Run(job)
    # After the pattern's import, so that the libraries it uses are there to be given TLS.
    tls.install(run)
    pattern.main(run)


if __name__ == "__main__":
    main()
