"""Runs one pattern: ``python main.py`` reads the job (JSON, one line) on stdin, then
the pattern's module (``py-aiohttp`` is ``py_aiohttp.py``) runs it.

Guarded by ``__name__``: a process pool's workers (forkserver or spawn) import the main
module again, and must not read a job of their own."""

import importlib
import json
import signal
import sys

from harness import Run


def main():
    # Ctrl-C reaches this process and waitbench alike; waitbench decides, and says "stop".
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    job = json.loads(sys.stdin.readline())
    pattern = importlib.import_module(job["pattern"].replace("-", "_"))
    pattern.main(Run(job))


if __name__ == "__main__":
    main()
