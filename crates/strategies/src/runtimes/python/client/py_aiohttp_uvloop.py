"""py-aiohttp-uvloop: py-aiohttp's code, unchanged, on uvloop's event loop (libuv, in
Cython) instead of asyncio's own, which uvloop says makes asyncio 2–4× faster. Only the
loop differs, so the pair measures what the loop costs per request."""

import uvloop

from py_aiohttp import fetch_all


def main(run):
    uvloop.run(fetch_all(run))
    run.finish()
