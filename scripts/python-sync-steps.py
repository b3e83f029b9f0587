"""Where a Python blocking worker's CPU goes, step by step: runs a built-in blocking
pattern (py-requests-session by default) under `waitbench run --client`, from this
checkout's harness, with a timer around each step of the worker's loop, and reports
the thread CPU per request of each as extras (``steps_*_us``):

    waitbench run --client "PYTHON scripts/python-sync-steps.py [PATTERN [C]]" \
        -c 1 -d 5s --warmup 1s --target URL [--self-paced]

``next`` is taking the ticket (``steps_next_wall_us``: its wall time, the wait for it),
``fetch`` the library call, ``record`` writing (or holding) the ``r`` line, ``rest`` the
CPU work and the failure check. PYTHON must import ``requests`` (waitbench's own
environment: ``~/.cache/waitbench/python/venv-*/bin/python``). The timers cost about
0.3 µs each, four per request.
"""

import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "../crates/strategies/src/runtimes/python/client"))

import harness  # noqa: E402
import main  # noqa: E402

PATTERN = sys.argv[1] if len(sys.argv) > 1 else "py-requests-session"
WORKERS = int(sys.argv[2]) if len(sys.argv) > 2 else 1
read_job = main.read_line


def read_line():
    """The job, with the options waitbench gives the pattern (a --client gets none)."""
    word, _, text = read_job().partition(" ")
    job = json.loads(text)
    job["options"] = {"pattern": PATTERN, "workers": WORKERS, "threads": WORKERS,
                      "processes": 0, "idle_per_host": WORKERS, "cpu_work_ns": 0,
                      "ticker": False, "await_with": "workers", "tls": None,
                      "http2": False}
    return f"{word} {json.dumps(job)}"


def blocking_worker(run, fetch, classify):
    """harness.blocking_worker, timed step by step."""
    cpu, now = time.thread_time_ns, time.monotonic_ns
    spent = dict.fromkeys(["next", "next_wall", "fetch", "record", "rest"], 0)
    requests = 0
    while True:
        c0, w0 = cpu(), now()
        index = run.next()
        c1 = cpu()
        spent["next"] += c1 - c0
        spent["next_wall"] += now() - w0
        if index is None:
            break
        sent_ns = now()
        try:
            kind, status = harness.RESPONSE, fetch(run.url(index))
        except Exception as error:
            kind, status = classify(error), 0
            run.note_error(kind, error)
        ended_ns = now()
        c2 = cpu()
        spent["fetch"] += c2 - c1
        run.record(index, sent_ns, ended_ns, kind, status)
        c3 = cpu()
        spent["record"] += c3 - c2
        run.work(index)
        stop = run.settle(kind, status)
        spent["rest"] += cpu() - c3
        requests += 1
        if stop:
            break
    for step, ns in spent.items():
        run.extras[f"steps_{step}_us"] = ns / max(requests, 1) / 1000


main.read_line = read_line
harness.blocking_worker = blocking_worker
main.main()
