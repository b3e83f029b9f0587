"""py-httpx-async: one ``httpx.AsyncClient`` shared by C coroutines under
``asyncio.gather``, over HTTP/1.1 or, with ``http2``, HTTP/2 (httpx's ``h2`` extra):
ALPN h2 over https://, prior knowledge (h2c) over http://. Over HTTP/2 the client
multiplexes the coroutines' requests as streams on its connections, at most the server's
stream limit on each; the connection limit is ``idle_per_host``."""

import asyncio

import httpx

from harness import async_worker, ticking
from httpx_errors import body_failed, classify
from py_httpx import client

VERSIONS = {"HTTP/1.1": 11, "HTTP/2": 2}


async def fetch_all(run):
    # The HTTP version the responses came in, for the run's figures.
    seen = [None]
    async with httpx.AsyncClient(**client(run, http2=run.options["http2"])) as session:

        async def fetch(url):
            async with session.stream(run.method, url, headers=run.headers,
                                      content=run.body) as response:
                try:
                    await response.aread()
                except httpx.TransportError as error:
                    raise body_failed(error)
                seen[0] = response.http_version
                return response.status_code

        run.ready()
        run.start()
        async with ticking(run):
            await asyncio.gather(*(async_worker(run, fetch, classify)
                                   for _ in range(run.concurrency)))
    if seen[0] in VERSIONS:
        run.extras["http_version"] = VERSIONS[seen[0]]


def main(run):
    asyncio.run(fetch_all(run))
    run.finish()
