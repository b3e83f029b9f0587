"""py-threadpool: ``requests`` on a ``ThreadPoolExecutor``, one shared session.

The pool gets ``threads`` workers (Python's default is min(32, cores + 4)). urllib3
keeps ``pool_maxsize`` connections per host (10 by default); it is raised to the thread
count unless ``idle_per_host`` says otherwise, so that threads do not reconnect.
"""

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor

import requests

from harness import blocking_worker
from requests_errors import classify


def session_fetch(run):
    """``fetch(url)`` on one shared session whose urllib3 pool keeps ``idle_per_host``
    connections (py-gevent runs this same code on greenlets)."""
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_maxsize=run.options["idle_per_host"])
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    timeout = (run.connect_timeout_s, run.request_timeout_s)

    def fetch(url):
        return session.request(run.method, url, headers=run.headers, data=run.body,
                               timeout=timeout).status_code

    return fetch


@contextlib.contextmanager
def started_pool(threads):
    """A ``ThreadPoolExecutor`` of ``threads`` threads, every one started: the pool
    starts a thread per submit until it has max_workers, so start them all before the
    clock, as the Rust strategies do."""
    with ThreadPoolExecutor(max_workers=threads) as pool:
        started = threading.Barrier(threads + 1)
        for _ in range(threads):
            pool.submit(started.wait)
        started.wait()
        yield pool


def pool_workers(run, fetch, classify):
    """The client is built: C blocking workers on the pool of ``threads`` threads, from
    the clock handshake until the run is over (py-httpx runs its client this way too)."""
    run.ready(blocking=True)
    with started_pool(run.options["threads"]) as pool:
        run.start()
        workers = [pool.submit(blocking_worker, run, fetch, classify)
                   for _ in range(run.concurrency)]
        for worker in workers:
            worker.result()


def main(run):
    pool_workers(run, session_fetch(run), classify)
    run.finish()
