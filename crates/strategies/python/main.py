"""Runs one pattern: ``python main.py`` reads the job (JSON, one line) on stdin, then
the pattern's module (``py-aiohttp`` is ``py_aiohttp.py``) runs it."""

import importlib
import json
import signal
import sys

from harness import Run

# Ctrl-C reaches this process and waitbench alike; waitbench decides, and says "stop".
signal.signal(signal.SIGINT, signal.SIG_IGN)
job = json.loads(sys.stdin.readline())
pattern = importlib.import_module(job["pattern"].replace("-", "_"))
pattern.main(Run(job))
