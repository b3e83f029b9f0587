"""py-gevent: py-threadpool's ``requests`` code, unchanged, on C greenlets after gevent's
monkey-patching: synchronous code on cheap threads, the answer many Python teams chose
before asyncio. ``monkey.patch_all()`` runs when this module is imported, before the
harness starts its stdin reader, so that ``socket``, ``threading`` and ``queue`` are
gevent's: each blocking call of ``requests`` yields to gevent's hub instead of holding an
OS thread, and the workers are greenlets, all on one OS thread.

urllib3 keeps ``pool_maxsize`` connections per host: C unless ``idle_per_host`` says
otherwise, so that greenlets do not reconnect. The harness reads stdin through gevent's
non-blocking read, which waits on the hub: a plain ``os.read`` would hold the one OS
thread every greenlet runs on."""

from gevent import monkey

monkey.patch_all()

import gevent  # noqa: E402  (after the patching, as gevent asks)
import gevent.os  # noqa: E402

import harness  # noqa: E402
from harness import blocking_worker  # noqa: E402
from py_threadpool import session_fetch  # noqa: E402
from requests_errors import classify  # noqa: E402

gevent.os.make_nonblocking(harness.STDIN)
harness.read_stdin = gevent.os.nb_read


def main(run):
    fetch = session_fetch(run)
    run.ready(blocking=True)
    # The greenlets are made after the clock handshake: a greenlet that asked for a
    # ticket before ``go`` would read the handshake's lines as the run's. Making one
    # costs microseconds and starts no OS thread, so nothing of a pool's start is timed.
    run.start()
    workers = [gevent.spawn(blocking_worker, run, fetch, classify)
               for _ in range(run.concurrency)]
    gevent.joinall(workers, raise_error=True)
    run.finish()
