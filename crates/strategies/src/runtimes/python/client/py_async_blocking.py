"""py-async-blocking: a blocking ``requests`` call inside ``async def`` (claim F2's
mistake). C coroutines under ``asyncio.gather`` each await a coroutine that calls
``session.get`` directly: the call never yields, so it holds the event loop's one thread
for the whole request. Requests go one at a time whatever C is, and every other task on
the loop (the 1 ms ticker included) waits for each call to end."""

import asyncio

import requests

from harness import async_worker, ticking
from requests_errors import classify


async def fetch_all(run):
    session = requests.Session()
    timeout = (run.connect_timeout_s, run.request_timeout_s)

    async def fetch(url):
        return session.request(run.method, url, headers=run.headers, data=run.body,
                               timeout=timeout).status_code  # blocks the loop

    run.ready()
    run.start()
    async with ticking(run):
        await asyncio.gather(*(async_worker(run, fetch, classify)
                               for _ in range(run.concurrency)))


def main(run):
    asyncio.run(fetch_all(run))
    run.finish()
