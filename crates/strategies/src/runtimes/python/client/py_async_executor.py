"""py-async-executor: the same blocking ``requests`` call, moved off the event loop with
``loop.run_in_executor(None, ...)`` (claim F2's fix). The loop's default executor is a
``ThreadPoolExecutor`` of ``threads`` threads (Python's own default is
min(32, cores + 4)); at most that many requests are in flight, and the loop stays free
for its other tasks. urllib3 keeps ``idle_per_host`` connections, the thread count unless
told otherwise, so that threads do not reconnect."""

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import requests

from harness import async_worker, ticking
from requests_errors import classify


async def fetch_all(run):
    threads = run.options["threads"]
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_maxsize=run.options["idle_per_host"])
    session.mount("http://", adapter)
    timeout = (run.connect_timeout_s, run.request_timeout_s)
    loop = asyncio.get_running_loop()

    def get(url):
        return session.request(run.method, url, headers=run.headers, data=run.body,
                               timeout=timeout).status_code

    async def fetch(url):
        return await loop.run_in_executor(None, get, url)

    run.ready()
    executor = ThreadPoolExecutor(max_workers=threads)
    loop.set_default_executor(executor)
    # The executor starts a thread per submit until it has max_workers: start them all
    # before the clock, as the Rust strategies do.
    started = threading.Barrier(threads + 1)
    for _ in range(threads):
        executor.submit(started.wait)
    started.wait()
    run.start()
    async with ticking(run):
        await asyncio.gather(*(async_worker(run, fetch, classify)
                               for _ in range(run.concurrency)))


def main(run):
    asyncio.run(fetch_all(run))
    run.finish()
