"""py-threadpool: ``requests`` on a ``ThreadPoolExecutor``, one shared session.

The pool gets ``threads`` workers (Python's default is min(32, cores + 4)). urllib3
keeps ``pool_maxsize`` connections per host (10 by default); it is raised to the thread
count unless ``idle_per_host`` says otherwise, so that threads do not reconnect.
"""

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
    timeout = (run.connect_timeout_s, run.request_timeout_s)

    def fetch(url):
        return session.request(run.method, url, headers=run.headers, data=run.body,
                               timeout=timeout).status_code

    return fetch


def main(run):
    threads = run.options["threads"]
    fetch = session_fetch(run)
    run.ready()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        # The pool starts a thread per submit until it has max_workers: start them all
        # before the clock, as the Rust strategies do.
        started = threading.Barrier(threads + 1)
        for _ in range(threads):
            pool.submit(started.wait)
        started.wait()
        run.start()
        workers = [pool.submit(blocking_worker, run, fetch, classify)
                   for _ in range(run.concurrency)]
        for worker in workers:
            worker.result()
    run.finish()
