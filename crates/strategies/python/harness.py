"""What every Python pattern shares: the job, the load model and the record stream.

Python only executes; waitbench measures. A pattern module builds its client the way
the article does, calls ``run.ready()`` (waitbench takes its baseline of this process
then), ``run.start()`` (the clock starts), drives workers that take tickets from
``run.next()`` and send, and ``run.finish()``. After each response the worker does the
job's CPU work (claim F1; ``cpu_work.py``), inline unless the pattern hands it elsewhere,
as waitbench's Rust workers do after recording. For every request the worker writes one
fixed-size frame to stdout: its index, intended and actual send time, end time (after
the whole body is read) on CLOCK_MONOTONIC, which is the clock of Rust's ``Instant`` on
Linux, and the outcome. waitbench turns the frames into the same histograms and outcome
counts as for its Rust clients; nothing is summarised here.

The load models mirror waitbench's dispatcher: a batch hands out N tickets, a closed
loop hands them out until its deadline, an open loop hands out ticket i for the
intended time start + i/rate. Whether a request falls in the measured window is decided
by waitbench from the times, not here.
"""

import array
import contextlib
import itertools
import json
import os
import struct
import sys
import threading
import time

from cpu_work import burn

# tag, outcome kind, HTTP status, index, intended ns (-1: none), sent ns, ended ns.
FRAME = struct.Struct("<BBH4xQqqq")
RECORD, READY, START, END = 0, 1, 2, 3
NO_TIME = -1
# Outcome kinds: 0 is an HTTP response (its status says which); then waitbench's error
# kinds, in its order.
RESPONSE, CONNECT, TIMEOUT, RESET, BODY, CANCELLED, OTHER = range(7)
# 32 frames of 40 bytes fit one pipe write of at most PIPE_BUF (4096) bytes, which is
# atomic: workers on several threads never interleave their frames.
FRAMES_PER_WRITE = 32
STDOUT = 1

now_ns = time.monotonic_ns


def write_frame(tag, start_ns=0):
    os.write(STDOUT, FRAME.pack(tag, 0, 0, 0, NO_TIME, start_ns, 0))


class Recorder:
    """One worker's frame buffer: preallocated, flushed every FRAMES_PER_WRITE frames."""

    __slots__ = ("buffer", "view", "count")

    def __init__(self):
        self.buffer = bytearray(FRAME.size * FRAMES_PER_WRITE)
        self.view = memoryview(self.buffer)
        self.count = 0

    def record(self, index, intended_ns, sent_ns, ended_ns, kind, status):
        FRAME.pack_into(
            self.buffer, self.count * FRAME.size,
            RECORD, kind, status, index, intended_ns, sent_ns, ended_ns,
        )
        self.count += 1
        if self.count == FRAMES_PER_WRITE:
            self.flush()

    def flush(self):
        if self.count:
            os.write(STDOUT, self.view[: self.count * FRAME.size])
            self.count = 0


def failed(kind, status):
    return kind != RESPONSE or not 200 <= status < 300


class Run:
    """The job waitbench sent, and the load model's ticket dispenser."""

    def __init__(self, job):
        self.urls = job["urls"]
        request = job.get("request", {})
        # The method, headers and body the user gave (-m, -H, --body), sent by every
        # pattern through its library's generic request call.
        self.method = request.get("method", "GET")
        self.headers = dict(request.get("headers", []))
        self.body = bytes.fromhex(request["body_hex"]) if request.get("body_hex") else None
        self.load = job["load"]
        self.concurrency = job["workers"]
        self.connect_timeout_s = job["timeouts"]["connect"]
        self.request_timeout_s = job["timeouts"]["request"]
        self.cancel_on_error = job["on_error"] == "cancel"
        self.options = job["options"]
        self.cpu_work_ns = self.options.get("cpu_work_ns", 0)
        self.extras = {}
        # The first few distinct failure messages, kept as Rust's ErrorSamples keeps them
        # (its limits come in the job), reported beside the figures at the end.
        samples = job.get("error_samples", {})
        self.samples_kept = samples.get("kept", 0)
        self.samples_looks = samples.get("looks", 0)
        self.samples = []
        self.looked = 0
        self.stopped = False
        self.issued_at_first_failure = None
        self.counter = itertools.count()
        self.handed = 0
        self.go = threading.Event()
        self.released = threading.Event()
        threading.Thread(target=self.listen, daemon=True).start()
        self.lock = threading.Lock()

    def url(self, index):
        return self.urls[index % len(self.urls)]

    def ready(self):
        """The client exists: waitbench takes its baseline, then says go."""
        write_frame(READY)
        self.go.wait()
        if self.released.is_set():
            sys.exit(0)

    def listen(self):
        """Reads waitbench's word on stdin: "go", then "stop" if it was interrupted (the
        load ends), then the end of stdin, which lets this process exit. Started before
        the baseline, so that its thread is not counted as the run's."""
        for line in sys.stdin:
            command = line.strip()
            if command == "go":
                self.go.set()
            elif command == "stop":
                self.stopped = True
        self.released.set()
        self.go.set()

    def start(self):
        """Starts the clock: call after threads and sessions are built."""
        self.start_ns = now_ns()
        load = self.load
        kind = load["kind"]
        if kind == "batch":
            self.total = load["requests"]
            self.deadline_ns = None
            self.interval_ns = None
        elif kind == "closed_loop":
            self.total = None
            self.deadline_ns = self.start_ns + int((load["warmup"] + load["duration"]) * 1e9)
            self.interval_ns = None
        else:
            rate = load["rate_per_s"]
            self.total = int(-(-((load["warmup"] + load["duration"]) * rate - 1e-9) // 1))
            self.deadline_ns = None
            self.interval_ns = 1e9 / rate
        write_frame(START, self.start_ns)

    def next(self):
        """The next ticket as (index, intended ns), or None when the run is over."""
        if self.stopped:
            return None
        if self.deadline_ns is not None and now_ns() >= self.deadline_ns:
            return None
        index = next(self.counter)  # atomic under the GIL
        if self.total is not None and index >= self.total:
            return None
        if index >= self.handed:
            self.handed = index + 1
        if self.interval_ns is None:
            return index, NO_TIME
        return index, self.start_ns + int(self.interval_ns * index)

    def work(self, index):
        """The CPU work after response ``index``, on the calling thread."""
        burn(index, self.cpu_work_ns)

    def issued(self):
        return self.handed

    def settle(self, kind, status):
        """Remembers the first failure; under cancel-on-error it stops the run."""
        if not failed(kind, status):
            return False
        with self.lock:
            if self.issued_at_first_failure is None:
                self.issued_at_first_failure = self.issued()
        if self.cancel_on_error:
            self.stopped = True
        return self.cancel_on_error

    def note_error(self, error):
        """Keeps a failure's message if it is one of the first few distinct ones; after
        enough failures have been looked at, costs one comparison."""
        if self.looked >= self.samples_looks:
            return
        with self.lock:
            self.looked += 1
            message = str(error) or type(error).__name__
            if len(self.samples) < self.samples_kept and message not in self.samples:
                self.samples.append(message)
            if len(self.samples) == self.samples_kept:
                self.looked = self.samples_looks

    def finish(self):
        """Ends the stream with the run's own figures and its first error messages,
        then waits to be let go (so that waitbench reads this process's last CPU and
        memory figures while it lives)."""
        if self.issued_at_first_failure is not None:
            self.extras["issued_after_first_failure"] = (
                self.issued() - self.issued_at_first_failure
            )
        write_frame(END)
        ending = {"figures": self.extras, "error_samples": self.samples}
        os.write(STDOUT, json.dumps(ending).encode())
        os.close(STDOUT)
        self.released.wait()


def until(intended_ns):
    """Seconds left before an open loop's intended send time; 0 when it has passed or
    the load model has none (a closed loop or a batch sends at once)."""
    if intended_ns == NO_TIME:
        return 0
    return max(0, intended_ns - now_ns()) / 1e9


def blocking_worker(run, fetch, classify):
    """Takes tickets until the run is over; ``fetch(url)`` returns the status after the
    whole body is read, and ``classify(error)`` names a failure's kind. The CPU work
    after each response runs on the worker's thread."""
    recorder = Recorder()
    try:
        while (ticket := run.next()) is not None:
            index, intended_ns = ticket
            if (wait_s := until(intended_ns)) > 0:
                time.sleep(wait_s)
            sent_ns = now_ns()
            try:
                kind, status = RESPONSE, fetch(run.url(index))
            except Exception as error:  # every failure is an outcome, never a crash
                kind, status = classify(error), 0
                run.note_error(error)
            recorder.record(index, intended_ns, sent_ns, now_ns(), kind, status)
            run.work(index)
            if run.settle(kind, status):
                break
    finally:
        recorder.flush()


async def send(run, fetch, classify, recorder, index, intended_ns):
    """Sends request ``index`` and records its outcome, returning (kind, status, the
    exception or None). Every failure is an outcome, never a crash; a cancellation in
    flight is recorded as such and re-raised, so that the task still ends cancelled."""
    import asyncio

    sent_ns = now_ns()
    try:
        kind, status, error = RESPONSE, await fetch(run.url(index)), None
    except asyncio.CancelledError:
        recorder.record(index, intended_ns, sent_ns, now_ns(), CANCELLED, 0)
        raise
    except Exception as failure:
        kind, status, error = classify(failure), 0, failure
        run.note_error(failure)
    recorder.record(index, intended_ns, sent_ns, now_ns(), kind, status)
    return kind, status, error


async def async_worker(run, fetch, classify, work=None):
    """The async twin of blocking_worker; ``fetch(url)`` is a coroutine. The CPU work
    after each response runs inline on the event loop, or is awaited as ``work(index)``
    when the pattern hands it elsewhere."""
    import asyncio

    recorder = Recorder()
    try:
        while (ticket := run.next()) is not None:
            index, intended_ns = ticket
            if (wait_s := until(intended_ns)) > 0:
                await asyncio.sleep(wait_s)
            kind, status, _ = await send(run, fetch, classify, recorder, index, intended_ns)
            if work is None:
                run.work(index)
            else:
                await work(index)
            if run.settle(kind, status):
                break
    finally:
        recorder.flush()


class RequestFailed(Exception):
    """A request that did not succeed, raised by ``task_per_request`` after it is
    recorded: the exception that ``response.raise_for_status()`` (or the client's own
    error) raises in the article's pattern, so that ``gather`` or ``TaskGroup`` sees it."""

    def __init__(self, index, kind, status):
        super().__init__(f"request {index} failed (outcome {kind}, status {status})")


async def task_per_request(run, fetch, classify, slots, recorder):
    """One request as its own task (claim G), as in the article's
    ``tasks = [fetch(session, url) for url in urls]``: waits for one of the C ``slots``
    (an ``asyncio.Semaphore``), takes its ticket only then (so a task cancelled while it
    waits was never a request), sends, records, and raises RequestFailed if it failed.
    The first failure is noted but stops nothing: what stops the rest is the construct
    that awaits the tasks. ``recorder`` is shared: the tasks all run on the loop's thread
    and never await between recording and counting."""
    async with slots:
        ticket = run.next()
        if ticket is None:
            return None
        index, intended_ns = ticket
        kind, status, cause = await send(run, fetch, classify, recorder, index, intended_ns)
        run.work(index)
        run.settle(kind, status)
        if failed(kind, status):
            raise RequestFailed(index, kind, status) from cause
        return status


# The ticker's period (claim F2), in nanoseconds, as the Rust ticker's.
TICK_NS = 1_000_000


class Ticker:
    """A 1 ms ticker task on the running event loop (claim F2), the twin of waitbench's
    Rust ticker: how late it wakes shows whether something is blocking the loop.

    Ticks are scheduled at fixed 1 ms steps from the start and never skipped: after the
    loop was blocked for 20 ms the ticker fires the 20 overdue ticks at once, late by 20,
    19, … 1 ms, so the lateness distribution weighs a stall by its length. asyncio's
    timers wake through epoll, whose timeout has 1 ms granularity, so a free loop still
    shows up to about 1 ms of lateness, as tokio's does.

    As the Rust ticker, it ends at the first wake after the stop: a loop frozen until the
    workers are done (a blocking call inside ``async def`` whose awaits never suspend)
    gives one tick, late by the whole run."""

    def __init__(self):
        import asyncio

        # Lateness in µs, one per tick; an array of machine integers grows in place.
        self.lateness_us = array.array("q")
        self.stopping = False
        # The schedule starts now, not when the task first runs: a loop that is frozen
        # from the start makes the very first tick late.
        self.task = asyncio.get_running_loop().create_task(self.tick(now_ns() + TICK_NS))

    async def tick(self, scheduled):
        import asyncio

        while not self.stopping:
            wait_ns = scheduled - now_ns()
            # A sleep of 0 still yields once: overdue ticks fire in a burst, as tokio's.
            await asyncio.sleep(max(wait_ns, 0) / 1e9)
            self.lateness_us.append(max(now_ns() - scheduled, 0) // 1000)
            scheduled += TICK_NS

    async def finish(self, run):
        """Stops the ticker and adds ``ticker_lateness_{p50,p99,max}_us`` and
        ``ticker_ticks`` to the run's figures, under the Rust ticker's names."""
        self.stopping = True
        await self.task
        ticks = len(self.lateness_us)
        if ticks:
            ordered = sorted(self.lateness_us)
            # The value at quantile q, as hdrhistogram's value_at_quantile picks it.
            at = lambda q: ordered[max(int(-(-q * ticks // 1)) - 1, 0)]
            run.extras["ticker_lateness_p50_us"] = at(0.5)
            run.extras["ticker_lateness_p99_us"] = at(0.99)
            run.extras["ticker_lateness_max_us"] = ordered[-1]
        run.extras["ticker_ticks"] = ticks


@contextlib.asynccontextmanager
async def ticking(run):
    """Runs the ticker for the body of ``async with`` if the job asks for one; enter it
    before the workers' tasks are made, as the Rust ticker is spawned before them."""
    if not run.options.get("ticker"):
        yield
        return
    ticker = Ticker()
    try:
        yield
    finally:
        await ticker.finish(run)
