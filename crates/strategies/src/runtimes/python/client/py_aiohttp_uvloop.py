"""py-aiohttp-uvloop: py-aiohttp's code, unchanged, on uvloop's event loop (libuv, in
Cython) instead of asyncio's own, which uvloop says makes asyncio 2–4× faster. Only the
loop differs, so the pair measures what the loop costs per request."""

import os

import uvloop

from harness import STDIN
from py_aiohttp import fetch_all


def main(run):
    uvloop.run(fetch_all(run))
    # uvloop leaves the stdin it read non-blocking; the harness reads it blocking after
    # the loop is gone (waiting for waitbench to let the process go).
    os.set_blocking(STDIN, True)
    run.finish()
