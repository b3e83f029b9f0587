"""py-requests-session: one ``requests.Session``, one request after another; the
session keeps the connection alive between requests."""

import requests

from harness import blocking_worker
from requests_errors import classify


def main(run):
    session = requests.Session()
    timeout = (run.connect_timeout_s, run.request_timeout_s)

    def fetch(url):
        return session.request(run.method, url, headers=run.headers, data=run.body,
                               timeout=timeout).status_code

    run.ready(blocking=True)
    run.start()
    blocking_worker(run, fetch, classify)
    run.finish()
