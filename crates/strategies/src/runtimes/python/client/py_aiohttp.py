"""py-aiohttp: one ``aiohttp.ClientSession`` shared by C coroutines under
``asyncio.gather``. The connector's ``limit`` (how many connections the session opens)
is C unless ``idle_per_host`` sets it (aiohttp's own default is 100).

``await_with`` picks how the requests are awaited together (claim G): C worker
coroutines that take the requests in turn and never raise (``workers``, the default), or
one task per request, as the article writes it, awaited by ``asyncio.gather``,
``asyncio.gather(..., return_exceptions=True)`` or an ``asyncio.TaskGroup``. There a
failed request raises, as ``response.raise_for_status()`` would, and what happens to the
other tasks is the construct's doing, measured as requests sent and cancelled."""

import asyncio

import aiohttp

from aiohttp_errors import classify
import tls
from harness import RequestFailed, async_worker, task_per_request, ticking


async def workers(run, fetch):
    await asyncio.gather(*(async_worker(run, fetch, classify)
                           for _ in range(run.concurrency)))


def request_tasks(run, fetch):
    """The batch's requests, a task each; a semaphore keeps C of them in flight."""
    slots = asyncio.Semaphore(run.concurrency)
    return [asyncio.create_task(task_per_request(run, fetch, classify, slots))
            for _ in range(run.total)]


async def gather(run, fetch):
    tasks = request_tasks(run, fetch)
    try:
        return await asyncio.gather(*tasks)
    except RequestFailed:
        # gather re-raised the first failure. Whatever it did to the other tasks shows in
        # what they go on to send: wait for them, so that all of it is measured.
        run.extras["raised_after_first_failure"] = run.issued() - run.issued_at_first_failure
        await asyncio.wait(tasks)


async def gather_return_exceptions(run, fetch):
    tasks = request_tasks(run, fetch)
    return await asyncio.gather(*tasks, return_exceptions=True)


async def taskgroup(run, fetch):
    slots = asyncio.Semaphore(run.concurrency)
    try:
        async with asyncio.TaskGroup() as group:
            for _ in range(run.total):
                group.create_task(task_per_request(run, fetch, classify, slots))
    except* RequestFailed:
        pass  # the group has ended every task by now: none is left running


AWAIT_WITH = {
    "gather": gather,
    "gather-return-exceptions": gather_return_exceptions,
    "taskgroup": taskgroup,
}


async def fetch_all(run):
    timeout = aiohttp.ClientTimeout(total=run.request_timeout_s,
                                    connect=run.connect_timeout_s)
    connector = aiohttp.TCPConnector(limit=run.options["idle_per_host"],
                                    ssl=tls.context() or True)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def fetch(url):
            async with session.request(run.method, url, headers=run.headers,
                                       data=run.body) as response:
                await response.read()
                return response.status

        run.ready()
        run.start()
        async with ticking(run):
            way = run.options["await_with"]
            if way == "workers":
                await workers(run, fetch)
            else:
                await AWAIT_WITH[way](run, fetch)


def main(run):
    asyncio.run(fetch_all(run))
    run.finish()
