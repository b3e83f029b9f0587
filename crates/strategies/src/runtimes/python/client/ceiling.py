"""The Python clients' own ceiling: a bare closed loop of the same client code, with
none of waitbench's recording (no tickets, no clock reads, no frames), to show what the
per-request recording costs (the Python twin of examples/client_ceiling.rs).

    python ceiling.py PATTERN CONCURRENCY SECONDS URL

PATTERN is py-requests-session, py-threadpool, py-aiohttp, py-gevent or
py-aiohttp-uvloop, built as their modules build them. Prints requests per second and
client CPU per request, measured over the loop alone (process CPU, so the pool's
threads count).
"""

import sys

if __name__ == "__main__" and sys.argv[1:2] == ["py-gevent"]:
    # Before anything imports socket or threading, as py_gevent.py does.
    from gevent import monkey

    monkey.patch_all()

import asyncio  # noqa: E402
import time  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402

import aiohttp  # noqa: E402
import requests  # noqa: E402


def requests_loop(session, url, deadline):
    done = 0
    while time.monotonic() < deadline:
        session.get(url, timeout=(5, 30)).status_code
        done += 1
    return done


def run_blocking(concurrency, seconds, url, threads):
    session = requests.Session()
    session.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=threads))
    with ThreadPoolExecutor(max_workers=threads) as pool:
        deadline = time.monotonic() + seconds
        workers = [pool.submit(requests_loop, session, url, deadline)
                   for _ in range(concurrency)]
        return sum(w.result() for w in workers)


def run_greenlets(concurrency, seconds, url):
    import gevent

    session = requests.Session()
    session.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=concurrency))
    deadline = time.monotonic() + seconds
    workers = [gevent.spawn(requests_loop, session, url, deadline)
               for _ in range(concurrency)]
    gevent.joinall(workers, raise_error=True)
    return sum(w.value for w in workers)


async def run_aiohttp(concurrency, seconds, url):
    timeout = aiohttp.ClientTimeout(total=30, connect=5)
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        deadline = time.monotonic() + seconds

        async def worker():
            done = 0
            while time.monotonic() < deadline:
                async with session.get(url) as response:
                    await response.read()
                    response.status
                done += 1
            return done

        return sum(await asyncio.gather(*(worker() for _ in range(concurrency))))


def main():
    pattern, concurrency, seconds, url = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
    cpu, wall = time.process_time(), time.monotonic()
    if pattern == "py-aiohttp":
        done = asyncio.run(run_aiohttp(concurrency, seconds, url))
    elif pattern == "py-aiohttp-uvloop":
        import uvloop

        done = uvloop.run(run_aiohttp(concurrency, seconds, url))
    elif pattern == "py-gevent":
        done = run_greenlets(concurrency, seconds, url)
    elif pattern == "py-threadpool":
        done = run_blocking(concurrency, seconds, url, concurrency)
    elif pattern == "py-requests-session":
        done = run_blocking(1, seconds, url, 1)
    else:
        sys.exit(f"unknown pattern {pattern}")
    cpu, wall = time.process_time() - cpu, time.monotonic() - wall
    print(f"{pattern} C={concurrency}: {done / wall:,.0f} req/s, "
          f"client CPU {cpu * 1e6 / done:.1f} µs/request ({done} requests)")


main()
