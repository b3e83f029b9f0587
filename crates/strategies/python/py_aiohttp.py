"""py-aiohttp: one ``aiohttp.ClientSession`` shared by C coroutines under
``asyncio.gather``. The connector's ``limit`` (how many connections the session opens)
is C unless ``idle_per_host`` sets it (aiohttp's own default is 100)."""

import asyncio

import aiohttp

from aiohttp_errors import classify
from harness import async_worker, ticking


async def fetch_all(run):
    timeout = aiohttp.ClientTimeout(total=run.request_timeout_s,
                                    connect=run.connect_timeout_s)
    connector = aiohttp.TCPConnector(limit=run.options["idle_per_host"])
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def fetch(url):
            async with session.get(url) as response:
                await response.read()
                return response.status

        run.ready()
        run.start()
        async with ticking(run):
            await asyncio.gather(*(async_worker(run, fetch, classify)
                                   for _ in range(run.concurrency)))


def main(run):
    asyncio.run(fetch_all(run))
    run.finish()
