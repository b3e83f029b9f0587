"""py-requests: ``requests.get(url)`` in a loop, one request after another. Without a
session, every call builds a session and opens a new connection."""

import requests

from harness import blocking_worker
from requests_errors import classify


def main(run):
    timeout = (run.connect_timeout_s, run.request_timeout_s)

    def fetch(url):
        return requests.request(run.method, url, headers=run.headers, data=run.body,
                                timeout=timeout).status_code

    run.ready(blocking=True)
    run.start()
    blocking_worker(run, fetch, classify)
    run.finish()
