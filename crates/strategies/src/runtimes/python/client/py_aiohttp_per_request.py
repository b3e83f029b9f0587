"""py-aiohttp-per-request: a new ``aiohttp.ClientSession`` (so a new connection) for
every request, the misuse claim B is about; C coroutines under ``asyncio.gather``."""

import asyncio

import aiohttp

from aiohttp_errors import classify
import tls
from harness import async_worker


async def fetch_all(run):
    timeout = aiohttp.ClientTimeout(total=run.request_timeout_s,
                                    connect=run.connect_timeout_s)

    ssl = tls.context() or True

    async def fetch(url):
        connector = aiohttp.TCPConnector(ssl=ssl)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
            async with session.request(run.method, url, headers=run.headers,
                                       data=run.body) as response:
                await response.read()
                return response.status

    run.ready()
    run.start()
    await asyncio.gather(*(async_worker(run, fetch, classify)
                           for _ in range(run.concurrency)))


def main(run):
    asyncio.run(fetch_all(run))
    run.finish()
