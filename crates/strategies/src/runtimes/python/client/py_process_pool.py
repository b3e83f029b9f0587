"""py-process-pool: the article's advice for CPU-bound work, "use processes", as asyncio's
documentation gives it: one ``aiohttp.ClientSession`` on one event loop makes the
requests (C coroutines under ``asyncio.gather``, connector limit as ``py-aiohttp``'s),
and each response's CPU work goes to a ``ProcessPoolExecutor`` through
``loop.run_in_executor``, so that it runs on other cores, outside this process's GIL.

The pool has ``processes`` workers (Python's default is the number of cores). They are
started from a forkserver, Python 3.14's default start method, as a program written today
starts them. The pool is part of the client: it is made, and every worker started, before
``run.ready()``, so that starting interpreters is not counted as the requests' CPU.
waitbench counts the workers' CPU with this process's: it sums the process tree.
"""

import asyncio
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

import aiohttp

from aiohttp_errors import classify
from cpu_work import burn
import tls
from harness import STDOUT, async_worker, ticking


def started_pool(processes):
    """A pool whose ``processes`` workers are all running, and how many distinct workers
    answered (the pool's size as measured, reported as ``pool_processes``)."""
    # The forkserver, and the workers it forks, would inherit stdout: waitbench reads
    # this process's frames until stdout closes everywhere, and this process waits for
    # waitbench before it exits (and its pool with it). They get /dev/null instead.
    stdout = os.dup(STDOUT)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, STDOUT)
    try:
        return _started_pool(processes)
    finally:
        os.dup2(stdout, STDOUT)
        os.close(stdout)
        os.close(devnull)


def _started_pool(processes):
    context = multiprocessing.get_context("forkserver")
    # The workers need this module (for _started) and the work; without a list of its
    # own the forkserver would import main.py.
    context.set_forkserver_preload(["cpu_work", "py_process_pool"])
    # A forkserver pool starts a worker per submit while none is idle: each first task
    # waits until all have been taken, so every one of them takes a worker of its own.
    barrier = context.Barrier(processes)
    pool = ProcessPoolExecutor(max_workers=processes, mp_context=context,
                               initializer=_keep, initargs=(barrier,))
    tasks = [pool.submit(_started) for _ in range(processes)]
    pids = {task.result() for task in tasks}
    return pool, len(pids)


# The start barrier, in each worker (a barrier is handed over only as a worker starts).
_barrier = None


def _keep(barrier):
    global _barrier
    _barrier = barrier


def _started():
    _barrier.wait()
    return os.getpid()


async def fetch_all(run, pool):
    timeout = aiohttp.ClientTimeout(total=run.request_timeout_s,
                                    connect=run.connect_timeout_s)
    connector = aiohttp.TCPConnector(limit=run.options["idle_per_host"],
                                    ssl=tls.context() or True)
    loop = asyncio.get_running_loop()
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def fetch(url):
            async with session.request(run.method, url, headers=run.headers,
                                       data=run.body) as response:
                await response.read()
                return response.status

        async def work(index):
            await loop.run_in_executor(pool, burn, index, run.cpu_work_ns)

        run.ready()
        run.start()
        async with ticking(run):
            await asyncio.gather(*(async_worker(run, fetch, classify, work)
                                   for _ in range(run.concurrency)))


def main(run):
    pool, started = started_pool(run.options["processes"])
    run.extras["pool_processes"] = started
    with pool:
        asyncio.run(fetch_all(run, pool))
    run.finish()
