"""py-httpx: one ``httpx.Client`` shared by the threads of a ``ThreadPoolExecutor``, as
py-threadpool shares one ``requests`` session: the same pattern on the library that
also speaks HTTP/2 (its async twin is py-httpx-async). The client's pool keeps
``idle_per_host`` connections (``httpx.Limits``)."""

import httpx

import tls
from httpx_errors import body_failed, classify
from py_threadpool import pool_workers


def client(run, http2=False):
    """The run's httpx client (an ``httpx.Client``, or with ``asynchronous`` an
    ``httpx.AsyncClient``): its connection limit, timeouts and TLS. HTTP/2 over
    ``http://`` is h2c with prior knowledge, as the Rust clients speak it."""
    limit = run.options["idle_per_host"]
    return dict(
        limits=httpx.Limits(max_connections=limit, max_keepalive_connections=limit),
        timeout=httpx.Timeout(run.request_timeout_s, connect=run.connect_timeout_s),
        verify=tls.context() or True,
        http1=not http2,
        http2=http2,
    )


def main(run):
    with httpx.Client(**client(run)) as session:

        def fetch(url):
            with session.stream(run.method, url, headers=run.headers,
                                content=run.body) as response:
                try:
                    response.read()
                except httpx.TransportError as error:
                    raise body_failed(error)
                return response.status_code

        pool_workers(run, fetch, classify)
    run.finish()
